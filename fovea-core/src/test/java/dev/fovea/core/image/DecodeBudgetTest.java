package dev.fovea.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fovea.core.Overloaded;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** Issue 15, finding 13: the pixels decoded at once stay under the budget, however many threads decode. */
class DecodeBudgetTest {
    static byte[] png(int w, int h) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB), "png", out);
        return out.toByteArray();
    }

    @Test
    void parallelDecodesNeverHoldMoreThanTheBudget_finding13() throws Exception {
        // Six 400x400 images (160,000 pixels each) on 6 threads, within a budget of two of them.
        DecodeBudget budget = new DecodeBudget(2 * 400 * 400, Duration.ofSeconds(30));
        ImageDecoder decoder = new ImageDecoder(1_000_000, budget);
        byte[] png = png(400, 400);
        AtomicLong most = new AtomicLong();
        AtomicLong decodingNow = new AtomicLong();
        try (ExecutorService pool = Executors.newFixedThreadPool(6)) {
            List<Future<Integer>> done = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                done.add(pool.submit(() -> decoder.decode(png, image -> {
                    long now = decodingNow.addAndGet((long) image.width() * image.height());
                    most.accumulateAndGet(now, Math::max);
                    assertThat(budget.inUse()).isLessThanOrEqualTo(budget.capacity());
                    sleep(150); // hold the pixels long enough for the others to want theirs
                    decodingNow.addAndGet(-(long) image.width() * image.height());
                    return image.width();
                })));
            }
            for (Future<Integer> f : done) assertThat(f.get()).isEqualTo(400);
        }
        assertThat(most.get()).as("pixels held at once").isEqualTo(2 * 400 * 400);
        assertThat(budget.inUse()).as("all given back").isZero();
    }

    @Test
    void anImageLargerThanTheWholeBudgetWaitsForAllOfItAndThenDecodes_finding13() throws Exception {
        DecodeBudget budget = new DecodeBudget(10_000, Duration.ofSeconds(30));
        assertThat(new ImageDecoder(1_000_000, budget).decode(png(300, 300)).width()).isEqualTo(300);
        assertThat(budget.inUse()).isZero();
    }

    @Test
    void pastTheWaitLimitTheCallerIsToldToComeBack_finding13() throws Exception {
        DecodeBudget budget = new DecodeBudget(1_000, Duration.ofMillis(300));
        try (DecodeBudget.Lease all = budget.acquire(1_000, "a held image")) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> budget.acquire(10, "a 1x10 PNG"))
                    .isInstanceOfSatisfying(Overloaded.class, e -> {
                        assertThat(e.code()).isEqualTo("timeout");
                        assertThat(e.retryAfterSeconds()).isPositive();
                        assertThat(e.getMessage()).contains("a 1x10 PNG", "import.decode_budget_pixels");
                    });
            assertThat((System.nanoTime() - start) / 1_000_000).isBetween(250L, 5_000L);
        }
        try (DecodeBudget.Lease again = budget.acquire(1_000, "after")) {
            assertThat(budget.inUse()).as("the timed-out waiter left the queue").isEqualTo(1_000);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
