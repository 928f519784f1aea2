package io.lrok.bench;

import java.util.Arrays;

/** The results of one metric's repeated runs in one column: median and spread. */
record Samples(double[] values) {

    Samples {
        if (values.length == 0) throw new IllegalArgumentException("no samples");
        values = values.clone();
        Arrays.sort(values);
    }

    double median() {
        int n = values.length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }

    double min() {
        return values[0];
    }

    double max() {
        return values[values.length - 1];
    }

    int count() {
        return values.length;
    }

    /** The same samples in another unit. */
    Samples scaled(double factor) {
        return new Samples(Arrays.stream(values).map(v -> v * factor).toArray());
    }
}
