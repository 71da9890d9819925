// small.ml - a tiny ML program: prints a greeting and a small computation.

function greet(name) {
    return "hello from ML, " + name + "!";
}

function triangle(n) {
    total = 0;
    for (i in range(1, n + 1)) {
        total = total + i;
    }
    return total;
}

print(greet("mlprof"));
print("triangle(100) = " + str(triangle(100)));
