// hotspots.ml - two CPU hotspots with a known 70/30 split.
//
// hot_a and hot_b run the same kind of integer loop (a linear congruential
// generator feeding a branchy accumulator); hot_a gets 70% of the
// iterations, hot_b 30%.  Each call is timed with time.perf_counter() and the
// program ends with one line:  MLPY_SPLIT hot_a=<seconds> hot_b=<seconds>
// Everything else here (configuration checks, statistics, the report) is
// cheap bookkeeping, so the two hotspots dominate the profile.

import time;
import string;

// ---------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------

function make_config() {
    config = {
        name: "hotspots",
        rounds: 10,
        iterations_a: 455000,
        iterations_b: 195000,
        seed_a: 12345,
        seed_b: 67890,
        modulus: 2147483648,
        multiplier: 1103515245,
        increment: 12345
    };
    return config;
}

function check_positive(label, value) {
    if (value <= 0) {
        print("configuration error: " + label + " must be positive");
        return false;
    }
    return true;
}

function validate_config(config) {
    ok = true;
    ok = check_positive("rounds", config.rounds) && ok;
    ok = check_positive("iterations_a", config.iterations_a) && ok;
    ok = check_positive("iterations_b", config.iterations_b) && ok;
    ok = check_positive("modulus", config.modulus) && ok;
    if (config.seed_a == config.seed_b) {
        print("configuration warning: identical seeds");
    }
    return ok;
}

// ---------------------------------------------------------------------------
// The two hotspots
// ---------------------------------------------------------------------------

function hot_a(n, seed) {
    acc = seed;
    total = 0;
    i = 0;
    while (i < n) {
        acc = (acc * 1103515245 + 12345) % 2147483648;
        x = acc % 1000;
        if (x < 500) {
            total = total + x;
        } else {
            total = total - x // 3;
        }
        i = i + 1;
    }
    return total;
}

function hot_b(n, seed) {
    acc = seed;
    total = 0;
    i = 0;
    while (i < n) {
        acc = (acc * 1103515245 + 12345) % 2147483648;
        y = acc % 997;
        if (y > 400) {
            total = total + y;
        } else {
            total = total - y // 5;
        }
        i = i + 1;
    }
    return total;
}

// ---------------------------------------------------------------------------
// Small statistics helpers for the report
// ---------------------------------------------------------------------------

function sum_of(values) {
    s = 0;
    for (v in values) {
        s = s + v;
    }
    return s;
}

function mean_of(values) {
    if (len(values) == 0) {
        return 0;
    }
    return sum_of(values) / len(values);
}

function max_of(values) {
    best = values[0];
    for (v in values) {
        if (v > best) {
            best = v;
        }
    }
    return best;
}

function min_of(values) {
    best = values[0];
    for (v in values) {
        if (v < best) {
            best = v;
        }
    }
    return best;
}

function spread(values) {
    m = mean_of(values);
    acc = 0;
    for (v in values) {
        acc = acc + (v - m) * (v - m);
    }
    return len(values) > 1 ? acc / (len(values) - 1) : 0;
}

function percent(part, whole) {
    if (whole == 0) {
        return 0;
    }
    return round(100 * part / whole, 1);
}

function describe(label, values) {
    return label + ": n=" + str(len(values)) + " mean=" + str(round(mean_of(values), 4))
        + " min=" + str(round(min_of(values), 4)) + " max=" + str(round(max_of(values), 4))
        + " var=" + str(round(spread(values), 8));
}

function checksum(values) {
    h = 17;
    for (v in values) {
        h = (h * 31 + v) % 1000000007;
    }
    return h;
}

// Insertion sort on a copy, for the median and the sorted timing table.
function sorted_copy(values) {
    out = [];
    for (v in values) {
        append(out, v);
    }
    i = 1;
    while (i < out.length) {
        key = out[i];
        j = i - 1;
        while (j >= 0 && out[j] > key) {
            out[j + 1] = out[j];
            j = j - 1;
        }
        out[j + 1] = key;
        i = i + 1;
    }
    return out;
}

function median_of(values) {
    s = sorted_copy(values);
    n = len(s);
    if (n == 0) {
        return 0;
    } elif (n % 2 == 1) {
        return s[n // 2];
    }
    return (s[n // 2 - 1] + s[n // 2]) / 2;
}

// Bucket the per-round times relative to the fastest round.
function histogram(values, buckets) {
    counts = [];
    for (b in range(buckets)) {
        append(counts, 0);
    }
    lo = min_of(values);
    hi = max_of(values);
    width = (hi - lo) / buckets;
    for (v in values) {
        slot = width > 0 ? int((v - lo) / width) : 0;
        if (slot >= buckets) {
            slot = buckets - 1;
        }
        counts[slot] = counts[slot] + 1;
    }
    return counts;
}

function bar(count) {
    return string.repeat("#", count);
}

function format_row(label, value, unit) {
    return string.pad_right(label, 14) + string.pad_left(str(value), 12) + " " + unit;
}

function print_histogram(label, values) {
    counts = histogram(values, 4);
    print(label + " distribution:");
    k = 0;
    for (c in counts) {
        print("  bucket " + str(k) + " |" + bar(c));
        k = k + 1;
    }
}

function print_table(outcome) {
    print(format_row("function", "median", ""));
    print(format_row("hot_a", round(median_of(outcome.a), 5), "s"));
    print(format_row("hot_b", round(median_of(outcome.b), 5), "s"));
    slowest = sorted_copy(outcome.a);
    print(format_row("slowest hot_a", round(slowest[len(slowest) - 1], 5), "s"));
}

// ---------------------------------------------------------------------------
// Formatting and summary helpers
// ---------------------------------------------------------------------------

function format_seconds(seconds) {
    if (seconds >= 1) {
        return str(round(seconds, 3)) + " s";
    } elif (seconds >= 0.001) {
        return str(round(seconds * 1000, 2)) + " ms";
    } elif (seconds > 0) {
        return str(round(seconds * 1000000, 1)) + " us";
    }
    return "0 s";
}

function percentile(values, fraction) {
    s = sorted_copy(values);
    if (len(s) == 0) {
        return 0;
    }
    index = int(fraction * (len(s) - 1));
    if (index < 0) {
        index = 0;
    } elif (index >= len(s)) {
        index = len(s) - 1;
    }
    return s[index];
}

function moving_average(values, window) {
    out = [];
    i = 0;
    while (i + window <= values.length) {
        total = 0;
        j = i;
        while (j < i + window) {
            total = total + values[j];
            j = j + 1;
        }
        append(out, total / window);
        i = i + 1;
    }
    return out;
}

function trend(values) {
    averages = moving_average(values, 3);
    if (len(averages) < 2) {
        return "flat";
    }
    first = averages[0];
    last = averages[len(averages) - 1];
    if (last > first * 1.1) {
        return "slowing down";
    } elif (last < first * 0.9) {
        return "speeding up";
    }
    return "steady";
}

function csv_row(values) {
    cells = [];
    for (v in values) {
        append(cells, str(round(v, 6)));
    }
    return string.join(cells, ",");
}

function summarize(label, values) {
    return {
        label: label,
        count: len(values),
        total: sum_of(values),
        p50: percentile(values, 0.5),
        p90: percentile(values, 0.9),
        trend: trend(values)
    };
}

function print_summary(summary) {
    print(string.pad_right(summary.label, 8) + " total " + format_seconds(summary.total)
        + ", p50 " + format_seconds(summary.p50) + ", p90 " + format_seconds(summary.p90)
        + ", " + summary.trend);
}

function describe_config(config) {
    print("config: rounds=" + str(config.rounds) + " iterations_a=" + str(config.iterations_a)
        + " iterations_b=" + str(config.iterations_b) + " planned share hot_a="
        + str(percent(config.iterations_a, config.iterations_a + config.iterations_b)) + "%");
}

function all_positive(values) {
    for (v in values) {
        if (v <= 0) {
            return false;
        }
    }
    return true;
}

function check_outcome(config, outcome) {
    if (len(outcome.a) != config.rounds || len(outcome.b) != config.rounds) {
        print("outcome error: missing rounds");
        return false;
    }
    if (!all_positive(outcome.a) || !all_positive(outcome.b)) {
        print("outcome error: non-positive timing");
        return false;
    }
    return len(outcome.results) == 2 * config.rounds;
}

// ---------------------------------------------------------------------------
// Driver
// ---------------------------------------------------------------------------

function run_rounds(config) {
    times_a = [];
    times_b = [];
    results = [];
    r = 0;
    while (r < config.rounds) {
        t0 = time.perf_counter();
        ra = hot_a(config.iterations_a, config.seed_a + r);
        t1 = time.perf_counter();
        rb = hot_b(config.iterations_b, config.seed_b + r);
        t2 = time.perf_counter();
        append(times_a, t1 - t0);
        append(times_b, t2 - t1);
        append(results, ra);
        append(results, rb);
        r = r + 1;
    }
    return {a: times_a, b: times_b, results: results};
}

function report(config, outcome) {
    total_a = sum_of(outcome.a);
    total_b = sum_of(outcome.b);
    print("program " + config.name + ": " + str(config.rounds) + " rounds");
    print(describe("hot_a seconds", outcome.a));
    print(describe("hot_b seconds", outcome.b));
    print("share hot_a=" + str(percent(total_a, total_a + total_b)) + "%");
    print("checksum " + str(checksum(outcome.results)));
    print_table(outcome);
    print_histogram("hot_a", outcome.a);
    print_histogram("hot_b", outcome.b);
    print_summary(summarize("hot_a", outcome.a));
    print_summary(summarize("hot_b", outcome.b));
    print("csv hot_a," + csv_row(outcome.a));
    print("csv hot_b," + csv_row(outcome.b));
    print("MLPY_SPLIT hot_a=" + str(round(total_a, 6)) + " hot_b=" + str(round(total_b, 6)));
}

config = make_config();
if (!validate_config(config)) {
    exit(2);
}
describe_config(config);
outcome = run_rounds(config);
if (!check_outcome(config, outcome)) {
    exit(3);
}
report(config, outcome);
