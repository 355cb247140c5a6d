package dev.fovea.store;

import dev.fovea.core.FoveaException;
import dev.fovea.core.training.Preprocessing;
import dev.fovea.core.weights.PublishedWeights;
import dev.fovea.core.weights.WeightsStore;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/** Installed published weights in {@code published_weights}, one row per name. */
final class JdbcWeightsStore implements WeightsStore {
    private static final String COLUMNS = "name, arch, tensors, skipped, head_classes, network_classes, input_size,"
            + " mean, std, blob_sha256, blob_bytes, source, file_sha256, file_bytes, file_format, created_at";

    private final Jdbc jdbc;

    JdbcWeightsStore(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public void create(PublishedWeights w) {
        Preprocessing p = w.preprocessing();
        boolean inserted = jdbc.insertUnlessPresent("INSERT INTO published_weights (" + COLUMNS + ")"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                w.name(), w.arch(), w.tensors(), String.join("\n", w.skipped()), w.headClasses(), w.networkClasses(),
                p.inputSize(), floats(p.mean()), floats(p.std()), w.blobSha256(), w.blobBytes(), w.source(),
                w.fileSha256(), w.fileBytes(), w.fileFormat(), w.createdAt().truncatedTo(ChronoUnit.MICROS));
        if (!inserted) throw FoveaException.conflict("weights '" + w.name() + "' are installed already");
    }

    @Override
    public Optional<PublishedWeights> find(String name) {
        return jdbc.query("SELECT " + COLUMNS + " FROM published_weights WHERE name = ?", JdbcWeightsStore::row, name)
                .stream().findFirst();
    }

    @Override
    public List<PublishedWeights> list() {
        // Sorted here: the database's collation may order names otherwise.
        TreeMap<String, PublishedWeights> sorted = new TreeMap<>();
        jdbc.query("SELECT " + COLUMNS + " FROM published_weights", JdbcWeightsStore::row).forEach(w -> sorted.put(w.name(), w));
        return List.copyOf(sorted.values());
    }

    @Override
    public boolean remove(String name) {
        return jdbc.update("DELETE FROM published_weights WHERE name = ?", name) > 0;
    }

    private static PublishedWeights row(ResultSet rs) throws SQLException {
        String skipped = rs.getString("skipped");
        Preprocessing p = new Preprocessing(rs.getInt("input_size"), Preprocessing.parseFloats(rs.getString("mean")),
                Preprocessing.parseFloats(rs.getString("std")));
        return new PublishedWeights(rs.getString("name"), rs.getString("arch"), rs.getInt("tensors"),
                skipped.isEmpty() ? List.of() : Arrays.asList(skipped.split("\n")), rs.getInt("head_classes"),
                rs.getInt("network_classes"), p, rs.getString("blob_sha256"), rs.getLong("blob_bytes"),
                rs.getString("source"), rs.getString("file_sha256"), rs.getLong("file_bytes"),
                rs.getString("file_format"), Jdbc.instant(rs, "created_at"));
    }

    private static String floats(float[] v) {
        StringBuilder sb = new StringBuilder();
        for (float f : v) sb.append(sb.isEmpty() ? "" : ",").append(f);
        return sb.toString();
    }
}
