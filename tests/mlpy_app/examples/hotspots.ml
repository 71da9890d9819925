// hotspots.ml - two CPU hotspots with a known 70/30 split.
//
// hot_a and hot_b run the same kind of integer loop (a linear congruential
// generator feeding a branchy accumulator); hot_a gets 70% of the
// iterations, hot_b 30%.  Each call is timed with time.perf_counter() and the
// program ends with one line:  MLPY_SPLIT hot_a=<seconds> hot_b=<seconds>
// Everything else here (configuration checks, statistics, the report) is
// cheap bookkeeping, so the two hotspots dominate the profile.

import time;

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
    print("MLPY_SPLIT hot_a=" + str(round(total_a, 6)) + " hot_b=" + str(round(total_b, 6)));
}

config = make_config();
if (validate_config(config)) {
    outcome = run_rounds(config);
    report(config, outcome);
} else {
    exit(2);
}
