// split.ml - two identical ML loops run 2:1 from a run_all() caller.
//
// loop_a and loop_b have the same body; run_all() gives loop_a twice the
// iterations of loop_b, so their self-time split is 66.7% / 33.3%.  (The real
// mlpy sandbox refuses `import datetime` and `import math` with a
// CapabilityError and ML has no built-in clock, so the program cannot time
// itself: the split is the iteration ratio it prints.)  The dominant
// statement of each loop is the `acc = ...` line (the only arithmetic).
function loop_a(n) {
    i = 0;
    acc = 0;
    while (i < n) {
        acc = (acc * 31 + i * 7 + (acc % 13) * (i % 11) + 17) % 1000003;
        i = i + 1;
    }
    return acc;
}

function loop_b(n) {
    i = 0;
    acc = 0;
    while (i < n) {
        acc = (acc * 31 + i * 7 + (acc % 13) * (i % 11) + 17) % 1000003;
        i = i + 1;
    }
    return acc;
}

function run_all(rounds, chunk) {
    r = 0;
    a = 0;
    b = 0;
    while (r < rounds) {
        a = a + loop_a(chunk * 2);
        b = b + loop_b(chunk);
        r = r + 1;
    }
    print("MLPY_SPLIT loop_a=" + str(200.0 / 3.0) + " loop_b=" + str(100.0 / 3.0));
    return a + b;
}

run_all(20, 400000);
