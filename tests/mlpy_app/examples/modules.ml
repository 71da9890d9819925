// modules.ml - a program whose work happens in an imported ML module.
//
// `import math_utils;` makes mlpy transpile math_utils.ml (beside this file)
// into math_utils.py and import it from the generated program.  Nearly all
// CPU time is spent in math_utils functions (count_primes, is_prime,
// mandelbrot_escape, collatz_length, sum_of_divisors); this file only drives
// them and prints the results.

import math_utils;
import time;
import math;
import string;
import collections;

function banner(title) {
    print("== " + title + " ==");
}

function timed(label, started) {
    elapsed = time.perf_counter() - started;
    print(label + " took " + str(round(elapsed, 4)) + " s");
    return elapsed;
}

function check(label, got, expected) {
    if (got != expected) {
        print("CHECK FAILED " + label + ": got " + str(got) + ", expected " + str(expected));
        return false;
    }
    return true;
}

function quick_checks() {
    ok = true;
    ok = check("add", math_utils.add(1, 2), 3) && ok;
    ok = check("gcd", math_utils.gcd(1071, 462), 21) && ok;
    ok = check("lcm", math_utils.lcm(4, 6), 12) && ok;
    ok = check("is_prime 97", math_utils.is_prime(97), true) && ok;
    ok = check("is_prime 91", math_utils.is_prime(91), false) && ok;
    ok = check("collatz 27", math_utils.collatz_length(27), 112) && ok;
    ok = check("dot", math_utils.dot([1, 2, 3], [4, 5, 6]), 32) && ok;
    ok = check("poly", math_utils.poly_eval([2, -3, 1], 4), 21) && ok;
    ok = check("distance", math_utils.distance(0, 0, 3, 4), 5.0) && ok;
    return ok;
}

function primes_section(limit) {
    banner("primes");
    started = time.perf_counter();
    count = math_utils.count_primes(limit);
    timed("count_primes(" + str(limit) + ")", started);
    print("primes below " + str(limit) + ": " + str(count));
    return count;
}

function fractal_section(width, height, max_iter) {
    banner("mandelbrot");
    started = time.perf_counter();
    rows = math_utils.mandelbrot_rows(width, height, max_iter);
    timed("mandelbrot_rows", started);
    total = 0;
    for (r in rows) {
        total = total + r;
    }
    print("escape-iteration sum: " + str(total));
    return total;
}

function collatz_section(limit) {
    banner("collatz");
    started = time.perf_counter();
    best = math_utils.longest_collatz(limit);
    timed("longest_collatz", started);
    print("longest chain below " + str(limit) + ": " + str(best[0]) + " (" + str(best[1]) + " steps)");
    return best;
}

function divisor_section(limit) {
    banner("perfect numbers");
    started = time.perf_counter();
    perfect = math_utils.perfect_numbers(limit);
    timed("perfect_numbers", started);
    print("perfect numbers below " + str(limit) + ": " + str(perfect));
    return perfect;
}

function twin_primes_section(limit) {
    banner("twin primes");
    started = time.perf_counter();
    pairs = 0;
    largest = 0;
    n = 3;
    while (n + 2 < limit) {
        if (math_utils.is_prime(n) && math_utils.is_prime(n + 2)) {
            pairs = pairs + 1;
            largest = n;
        }
        n = n + 2;
    }
    timed("twin primes", started);
    print("twin prime pairs below " + str(limit) + ": " + str(pairs) + ", largest ("
        + str(largest) + ", " + str(largest + 2) + ")");
    return pairs;
}

function prime_gaps_section(limit) {
    banner("prime gaps");
    started = time.perf_counter();
    previous = 2;
    widest = 0;
    widest_at = 2;
    gaps = [0, 0, 0, 0, 0, 0];
    n = 3;
    while (n < limit) {
        if (math_utils.is_prime(n)) {
            gap = n - previous;
            if (gap > widest) {
                widest = gap;
                widest_at = previous;
            }
            bucket = gap // 2 - 1;
            if (bucket > 5) {
                bucket = 5;
            }
            gaps[bucket] = gaps[bucket] + 1;
            previous = n;
        }
        n = n + 2;
    }
    timed("prime gaps", started);
    print("widest gap below " + str(limit) + ": " + str(widest) + " after " + str(widest_at));
    print("gap histogram (2,4,6,8,10,12+): " + string.join(gaps, " "));
    return widest;
}

function gcd_section(size) {
    banner("gcd table");
    coprime = 0;
    total = 0;
    for (a in range(1, size + 1)) {
        for (b in range(1, size + 1)) {
            total = total + 1;
            if (math_utils.gcd(a, b) == 1) {
                coprime = coprime + 1;
            }
        }
    }
    share = coprime / total;
    print("coprime pairs in " + str(size) + "x" + str(size) + ": " + str(coprime) + " ("
        + str(round(100 * share, 2)) + "%, 6/pi^2 = "
        + str(round(600 / (math.pi * math.pi), 2)) + "%)");
    return coprime;
}

function summary_line(label, value) {
    return string.pad_right(label, 18) + string.pad_left(str(value), 14);
}

function print_summary(results) {
    banner("summary");
    for (key in collections.keys(results)) {
        print(summary_line(key, results[key]));
    }
}

function table_section() {
    banner("polynomial");
    values = math_utils.poly_table([1, 0, -2, 1], -3, 4);
    print("p(x) for x=-3..3: " + str(values));
    print("mean: " + str(math_utils.mean(values)));
}

if (!quick_checks()) {
    exit(3);
}
start = time.perf_counter();
primes = primes_section(120000);
fractal = fractal_section(96, 48, 120);
chain = collatz_section(40000);
perfect = divisor_section(20000);
twins = twin_primes_section(60000);
widest = prime_gaps_section(60000);
coprime = gcd_section(60);
table_section();
print_summary({primes: primes, fractal: fractal, chain: chain[0], perfect: len(perfect),
               twins: twins, widest_gap: widest, coprime: coprime});
print("MODULES total " + str(round(time.perf_counter() - start, 3)) + " s, primes=" + str(primes)
      + ", perfect=" + str(perfect));
