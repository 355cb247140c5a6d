package dev.fovea.core.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fovea.core.FoveaException;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunFilterTest {
    @Test
    void readsClausesInMlflowsSyntax() {
        List<RunQuery.Condition> c = RunFilter.parse(
                "params.optimizer = \"adamw and sgd\" AND metrics.val_loss < 0.5 and summary.test_accuracy>=0.9"
                        + " and params.lr <= 1e-3 and params.`odd name!` != 'x'");
        assertThat(c).hasSize(5);
        assertThat(c.get(0)).isEqualTo(new RunQuery.Condition(RunQuery.Field.PARAM, "optimizer", RunQuery.Op.EQ,
                "adamw and sgd", null, null));
        assertThat(c.get(1).aggregate()).as("a loss's best is its minimum").isEqualTo(RunQuery.Aggregate.MIN);
        assertThat(c.get(1).number()).isEqualTo(0.5);
        assertThat(c.get(2).op()).isEqualTo(RunQuery.Op.GE);
        assertThat(c.get(3).number()).isEqualTo(0.001);
        assertThat(c.get(4).name()).isEqualTo("odd name!");
        assertThat(c.get(4).number()).as("quoted: text, even where it reads as a number").isNull();
        assertThat(RunFilter.parse("  ")).isEmpty();
        assertThat(RunFilter.parse("metric.val_accuracy > 0.8").get(0).aggregate()).isEqualTo(RunQuery.Aggregate.MAX);
    }

    @Test
    void numbersAreDecimalsOnly() {
        assertThat(RunFilter.number("32")).isEqualTo(32.0);
        assertThat(RunFilter.number("-.5e-2")).isEqualTo(-0.005);
        assertThat(RunFilter.number("NaN")).isNull();
        assertThat(RunFilter.number("Infinity")).isNull();
        assertThat(RunFilter.number("0x10")).isNull();
        assertThat(RunFilter.number("1e999")).as("not finite").isNull();
        assertThat(RunFilter.number("adamw")).isNull();
    }

    @Test
    void aClauseItCannotReadIsNamedInTheError() {
        assertThatThrownBy(() -> RunFilter.parse("params.lr > 0.1 and lr < 3")).isInstanceOf(FoveaException.class)
                .hasMessageContaining("filter clause 'lr < 3' is not KIND.NAME OP VALUE");
        assertThatThrownBy(() -> RunFilter.parse("tags.x = 1")).hasMessageContaining("names 'tags', not params, metrics or summary");
        assertThatThrownBy(() -> RunFilter.parse("metrics.val_loss < low"))
                .hasMessageContaining("metrics.val_loss is a number; 'low' is not one");
        assertThatThrownBy(() -> RunFilter.parse("params.x = \"open")).hasMessageContaining("never closed");
    }

    @Test
    void sortsByAttributesOrNamedValues() {
        assertThat(RunQuery.Sort.parse(null, null, true)).isEqualTo(RunQuery.Sort.NEWEST);
        assertThat(RunQuery.Sort.parse("metrics.val_accuracy", "last", true).aggregate()).isEqualTo(RunQuery.Aggregate.LAST);
        assertThat(RunQuery.Sort.parse("params.lr", null, false).key()).isEqualTo("params.lr");
        assertThatThrownBy(() -> RunQuery.Sort.parse("colour", null, true)).hasMessageContaining("cannot be sorted by 'colour'");
        assertThatThrownBy(() -> RunQuery.Sort.parse("metrics.x", "median", true)).hasMessageContaining("'median' is not a way");
        assertThatThrownBy(() -> new RunQuery(null, null, null, null, null, null, null, null, 5000, 0))
                .hasMessageContaining("1 to 1000 runs, not 5000");
    }
}
