// math_utils.ml - an ML module imported by modules.ml.
//
// Transpiled to math_utils.py beside this file (plus math_utils.py.map with
// --source-map); the program imports it as a normal Python module, so these
// functions run with co_filename = .../examples/math_utils.py.

import math;

// ---------------------------------------------------------------------------
// Number theory
// ---------------------------------------------------------------------------

function add(a, b) {
    return a + b;
}

function gcd(a, b) {
    while (b != 0) {
        t = a % b;
        a = b;
        b = t;
    }
    return a;
}

function lcm(a, b) {
    if (a == 0 || b == 0) {
        return 0;
    }
    return a // gcd(a, b) * b;
}

function is_prime(n) {
    if (n < 2) {
        return false;
    }
    if (n % 2 == 0) {
        return n == 2;
    }
    d = 3;
    while (d * d <= n) {
        if (n % d == 0) {
            return false;
        }
        d = d + 2;
    }
    return true;
}

function count_primes(limit) {
    count = 0;
    n = 2;
    while (n < limit) {
        if (is_prime(n)) {
            count = count + 1;
        }
        n = n + 1;
    }
    return count;
}

function sum_of_divisors(n) {
    total = 1;
    d = 2;
    while (d * d <= n) {
        if (n % d == 0) {
            total = total + d;
            if (d * d != n) {
                total = total + n // d;
            }
        }
        d = d + 1;
    }
    return total;
}

function perfect_numbers(limit) {
    found = [];
    n = 2;
    while (n < limit) {
        if (sum_of_divisors(n) == n) {
            append(found, n);
        }
        n = n + 1;
    }
    return found;
}

function collatz_length(n) {
    steps = 1;
    while (n != 1) {
        if (n % 2 == 0) {
            n = n // 2;
        } else {
            n = 3 * n + 1;
        }
        steps = steps + 1;
    }
    return steps;
}

function longest_collatz(limit) {
    best = 1;
    best_length = 1;
    n = 1;
    while (n < limit) {
        length = collatz_length(n);
        if (length > best_length) {
            best = n;
            best_length = length;
        }
        n = n + 1;
    }
    return [best, best_length];
}

// ---------------------------------------------------------------------------
// Geometry and fractals
// ---------------------------------------------------------------------------

function mandelbrot_escape(cx, cy, max_iter) {
    x = 0.0;
    y = 0.0;
    i = 0;
    while (i < max_iter && x * x + y * y <= 4.0) {
        t = x * x - y * y + cx;
        y = 2.0 * x * y + cy;
        x = t;
        i = i + 1;
    }
    return i;
}

function mandelbrot_rows(width, height, max_iter) {
    rows = [];
    py = 0;
    while (py < height) {
        row = 0;
        px = 0;
        while (px < width) {
            cx = -2.0 + 2.6 * px / width;
            cy = -1.2 + 2.4 * py / height;
            row = row + mandelbrot_escape(cx, cy, max_iter);
            px = px + 1;
        }
        append(rows, row);
        py = py + 1;
    }
    return rows;
}

function distance(x1, y1, x2, y2) {
    dx = x2 - x1;
    dy = y2 - y1;
    return math.sqrt(dx * dx + dy * dy);
}

// ---------------------------------------------------------------------------
// Vectors and polynomials
// ---------------------------------------------------------------------------

function dot(a, b) {
    total = 0;
    i = 0;
    while (i < a.length) {
        total = total + a[i] * b[i];
        i = i + 1;
    }
    return total;
}

function poly_eval(coefficients, x) {
    result = 0;
    for (c in coefficients) {
        result = result * x + c;
    }
    return result;
}

function poly_table(coefficients, start, stop) {
    values = [];
    for (x in range(start, stop)) {
        append(values, poly_eval(coefficients, x));
    }
    return values;
}

function mean(values) {
    if (values.length == 0) {
        return 0;
    }
    total = 0;
    for (v in values) {
        total = total + v;
    }
    return total / values.length;
}
