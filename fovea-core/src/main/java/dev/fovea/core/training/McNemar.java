package dev.fovea.core.training;

import dev.fovea.core.FoveaException;

/**
 * McNemar's test of whether two classifiers evaluated on the same examples differ in accuracy. Only the
 * discordant examples count: {@code onlyA} (b) are right by A alone, {@code onlyB} (c) right by B alone.
 *
 * <p>When {@code b + c < 25} the exact two-sided binomial test is used: {@code statistic = min(b, c)} and
 * {@code p = min(1, 2 P[X <= min(b, c)])} with {@code X ~ Binomial(b + c, 1/2)} ({@code p = 1} when
 * {@code b + c = 0}); {@code method} is {@code "exact binomial"}. Otherwise the chi-square statistic with continuity
 * correction {@code (|b - c| - 1)^2 / (b + c)} is compared with the chi-square distribution with one degree of
 * freedom, {@code p = erfc(sqrt(statistic / 2))}; {@code method} is {@code "chi-square, continuity corrected"}.
 * These are the choices of statsmodels' {@code mcnemar(exact=..., correction=True)}.
 */
public record McNemar(int bothRight, int onlyA, int onlyB, int bothWrong, double statistic, double pValue,
        String method) {

    public static final String EXACT = "exact binomial";
    public static final String CHI_SQUARE = "chi-square, continuity corrected";

    /** Below this many discordant examples the exact test is used. */
    public static final int EXACT_BELOW = 25;

    /** Tests A's per-example correctness against B's; the arrays must describe the same examples in order. */
    public static McNemar test(boolean[] aCorrect, boolean[] bCorrect) {
        if (aCorrect == null || bCorrect == null) throw FoveaException.invalid("both classifiers' results are required");
        if (aCorrect.length != bCorrect.length) {
            throw FoveaException.invalid("classifier A has " + aCorrect.length + " results but B has "
                    + bCorrect.length + "; they must be for the same examples");
        }
        int both = 0, onlyA = 0, onlyB = 0, neither = 0;
        for (int i = 0; i < aCorrect.length; i++) {
            if (aCorrect[i] && bCorrect[i]) both++;
            else if (aCorrect[i]) onlyA++;
            else if (bCorrect[i]) onlyB++;
            else neither++;
        }
        long discordant = (long) onlyA + onlyB;
        if (discordant < EXACT_BELOW) {
            int low = Math.min(onlyA, onlyB);
            double p = discordant == 0 ? 1 : Math.min(1, 2 * binomialHalfCdf(low, discordant));
            return new McNemar(both, onlyA, onlyB, neither, low, p, EXACT);
        }
        double d = Math.abs(onlyA - onlyB) - 1.0;
        double statistic = d * d / discordant;
        return new McNemar(both, onlyA, onlyB, neither, statistic, chiSquare1Survival(statistic), CHI_SQUARE);
    }

    /** {@code P[X > x]} for a chi-square variable with one degree of freedom: {@code erfc(sqrt(x / 2))}. */
    static double chiSquare1Survival(double x) {
        return x <= 0 ? 1 : erfc(Math.sqrt(x / 2));
    }

    /**
     * {@code P[X <= k]} for {@code X ~ Binomial(n, 1/2)}, accurate to about 1e-13 relative for {@code n} into the
     * millions. The largest term is computed in log space with Loader's saddle-point method (as R's
     * {@code dbinom}), the others from it by their ratios, so nothing overflows or loses precision to
     * cancellation; tails far below the smallest double give 0.
     */
    static double binomialHalfCdf(long k, long n) {
        if (n < 0) throw new IllegalArgumentException("n " + n);
        if (k < 0) return 0;
        if (k >= n) return 1;
        if (2 * k > n) return 1 - binomialHalfCdf(n - k - 1, n); // symmetry: P[X <= k] = 1 - P[X <= n - k - 1]
        // Terms decrease from i = k downwards: t(i - 1) / t(i) = i / (n - i + 1) <= 1 when 2k <= n + 1.
        double sum = 0, term = 1;
        for (long i = k; i >= 0; i--) {
            sum += term;
            if (term < 1e-17 * sum) break;
            term *= (double) i / (n - i + 1);
        }
        return Math.exp(logBinomialHalfPmf(k, n) + Math.log(sum));
    }

    /** {@code log P[X = k]} for {@code X ~ Binomial(n, 1/2)}, {@code 0 <= k <= n}. */
    static double logBinomialHalfPmf(long k, long n) {
        if (k == 0 || k == n) return -n * Math.log(2);
        double half = n / 2.0;
        double lc = stirlingError(n) - stirlingError(k) - stirlingError(n - k) - deviance(k, half)
                - deviance(n - k, half);
        return lc + 0.5 * Math.log(n / (2 * Math.PI * k * (double) (n - k)));
    }

    /** {@code log(n!) - log(sqrt(2 pi n) (n / e)^n)}, the error of Stirling's formula. */
    private static double stirlingError(long n) {
        if (n <= 15) {
            double logFactorial = 0;
            for (int i = 2; i <= n; i++) logFactorial += Math.log(i);
            return logFactorial - (n + 0.5) * Math.log(n) + n - 0.5 * Math.log(2 * Math.PI);
        }
        double s0 = 1.0 / 12, s1 = 1.0 / 360, s2 = 1.0 / 1260, s3 = 1.0 / 1680, s4 = 1.0 / 1188;
        double nn = (double) n * n;
        if (n > 500) return (s0 - s1 / nn) / n;
        if (n > 80) return (s0 - (s1 - s2 / nn) / nn) / n;
        if (n > 35) return (s0 - (s1 - (s2 - s3 / nn) / nn) / nn) / n;
        return (s0 - (s1 - (s2 - (s3 - s4 / nn) / nn) / nn) / nn) / n;
    }

    /** {@code x log(x / np) + np - x}, by a series when x is close to np (Loader's bd0). */
    private static double deviance(double x, double np) {
        if (Math.abs(x - np) < 0.1 * (x + np)) {
            double v = (x - np) / (x + np);
            double s = (x - np) * v;
            double ej = 2 * x * v;
            v *= v;
            for (int j = 1; j < 1000; j++) {
                ej *= v;
                double s1 = s + ej / (2 * j + 1);
                if (s1 == s) return s1;
                s = s1;
            }
        }
        return x * Math.log(x / np) + np - x;
    }

    /**
     * The complementary error function, to about 2e-14 relative (checked against Python's math.erfc from 0 to
     * 26.5): the Maclaurin series of erf below 1.5 (where {@code erfc >= 0.033}, so the subtraction from 1 costs
     * little), above it the Laplace continued fraction evaluated by the modified Lentz method (at most about 120
     * terms), with {@code exp(-x^2)} split as {@code exp(-z^2) exp(-(x-z)(x+z))} for a {@code z} of few bits so
     * that rounding {@code x^2} costs no accuracy for large x.
     */
    static double erfc(double x) {
        if (Double.isNaN(x)) return Double.NaN;
        if (x < 0) return 2 - erfc(-x);
        if (x < 1.5) {
            // erf(x) = 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1))
            double x2 = x * x, power = x, sum = x;
            for (int n = 1; n < 200; n++) {
                power *= -x2 / n;
                double term = power / (2 * n + 1);
                sum += term;
                if (Math.abs(term) < 1e-17 * Math.abs(sum)) break;
            }
            return 1 - 2 / Math.sqrt(Math.PI) * sum;
        }
        if (x > 27.3) return 0; // below the smallest double
        // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...)))))
        double tiny = 1e-300;
        double f = x, c = x, d = 0;
        for (int j = 1; j < 5000; j++) {
            double a = j / 2.0;
            d = x + a * d;
            d = d == 0 ? 1 / tiny : 1 / d;
            c = x + a / c;
            if (c == 0) c = tiny;
            double delta = c * d;
            f *= delta;
            if (Math.abs(delta - 1) < 1e-16) break;
        }
        double z = Math.floor(x * 16) / 16; // z * z is exact
        return Math.exp(-z * z) * Math.exp(-(x - z) * (x + z)) / (f * Math.sqrt(Math.PI));
    }
}
