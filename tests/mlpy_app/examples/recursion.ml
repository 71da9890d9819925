// recursion.ml - deep recursion in ML code.
//
// descend(n, acc) calls itself n times, so descend(200, ...) is 200 ML
// frames deep (about 400 Python frames in the sandbox: every ML call goes
// through _safe_call).  The driver repeats such descents until about half a
// second of CPU has been spent, then checks the results against iterative
// versions.  The other functions are smaller recursive algorithms used for
// the self-checks and the report.

import time;

DEPTH = 200;
REPEATS = 1600;

// ---------------------------------------------------------------------------
// The deep one
// ---------------------------------------------------------------------------

function descend(n, acc) {
    if (n == 0) {
        return acc;
    }
    return descend(n - 1, (acc * 31 + n) % 1000003);
}

function descend_iterative(n, acc) {
    while (n > 0) {
        acc = (acc * 31 + n) % 1000003;
        n = n - 1;
    }
    return acc;
}

// ---------------------------------------------------------------------------
// Mutual recursion
// ---------------------------------------------------------------------------

function is_even(n) {
    if (n == 0) {
        return true;
    }
    return is_odd(n - 1);
}

function is_odd(n) {
    if (n == 0) {
        return false;
    }
    return is_even(n - 1);
}

// ---------------------------------------------------------------------------
// Classic small recursive algorithms
// ---------------------------------------------------------------------------

function factorial(n) {
    if (n <= 1) {
        return 1;
    }
    return n * factorial(n - 1);
}

function fib(n) {
    if (n < 2) {
        return n;
    }
    return fib(n - 1) + fib(n - 2);
}

function gcd(a, b) {
    if (b == 0) {
        return a;
    }
    return gcd(b, a % b);
}

function power(base, exponent) {
    if (exponent == 0) {
        return 1;
    }
    half = power(base, exponent // 2);
    if (exponent % 2 == 0) {
        return half * half;
    }
    return half * half * base;
}

function hanoi_moves(disks, source, target, spare, moves) {
    if (disks == 0) {
        return moves;
    }
    moves = hanoi_moves(disks - 1, source, spare, target, moves);
    moves = moves + 1;
    return hanoi_moves(disks - 1, spare, target, source, moves);
}

function ackermann(m, n) {
    if (m == 0) {
        return n + 1;
    } elif (n == 0) {
        return ackermann(m - 1, 1);
    }
    return ackermann(m - 1, ackermann(m, n - 1));
}

function binary_search(items, wanted, lo, hi) {
    if (lo > hi) {
        return -1;
    }
    mid = (lo + hi) // 2;
    if (items[mid] == wanted) {
        return mid;
    } elif (items[mid] < wanted) {
        return binary_search(items, wanted, mid + 1, hi);
    }
    return binary_search(items, wanted, lo, mid - 1);
}

// ---------------------------------------------------------------------------
// Recursion over nested arrays
// ---------------------------------------------------------------------------

function build_tree(depth, label) {
    if (depth == 0) {
        return label;
    }
    return [build_tree(depth - 1, label * 2), build_tree(depth - 1, label * 2 + 1)];
}

function count_leaves(tree) {
    if (typeof(tree) != "array") {
        return 1;
    }
    total = 0;
    for (child in tree) {
        total = total + count_leaves(child);
    }
    return total;
}

function tree_depth(tree) {
    if (typeof(tree) != "array") {
        return 0;
    }
    deepest = 0;
    for (child in tree) {
        d = tree_depth(child);
        if (d > deepest) {
            deepest = d;
        }
    }
    return deepest + 1;
}

function sum_leaves(tree) {
    if (typeof(tree) != "array") {
        return tree;
    }
    total = 0;
    for (child in tree) {
        total = total + sum_leaves(child);
    }
    return total;
}

function flatten(tree, out) {
    if (typeof(tree) != "array") {
        append(out, tree);
        return out;
    }
    for (child in tree) {
        flatten(child, out);
    }
    return out;
}

function nested_list(depth) {
    if (depth == 0) {
        return [];
    }
    return [nested_list(depth - 1)];
}

function nesting_of(value) {
    if (typeof(value) != "array" || len(value) == 0) {
        return 0;
    }
    return 1 + nesting_of(value[0]);
}

// ---------------------------------------------------------------------------
// Merge sort (recursive) for the report
// ---------------------------------------------------------------------------

function merge(left, right) {
    out = [];
    i = 0;
    j = 0;
    while (i < len(left) && j < len(right)) {
        if (left[i] <= right[j]) {
            append(out, left[i]);
            i = i + 1;
        } else {
            append(out, right[j]);
            j = j + 1;
        }
    }
    while (i < len(left)) {
        append(out, left[i]);
        i = i + 1;
    }
    while (j < len(right)) {
        append(out, right[j]);
        j = j + 1;
    }
    return out;
}

function merge_sort(items) {
    if (len(items) <= 1) {
        return items;
    }
    middle = len(items) // 2;
    return merge(merge_sort(items[:middle]), merge_sort(items[middle:]));
}

// ---------------------------------------------------------------------------
// More recursion: strings, combinatorics, quicksort
// ---------------------------------------------------------------------------

function digit_sum(n) {
    if (n < 10) {
        return n;
    }
    return n % 10 + digit_sum(n // 10);
}

function reverse_string(text) {
    if (len(text) <= 1) {
        return text;
    }
    return reverse_string(text[1:]) + text[0];
}

function is_palindrome(text) {
    if (len(text) <= 1) {
        return true;
    }
    if (text[0] != text[len(text) - 1]) {
        return false;
    }
    return is_palindrome(text[1:len(text) - 1]);
}

function binomial(n, k) {
    if (k == 0 || k == n) {
        return 1;
    }
    return binomial(n - 1, k - 1) + binomial(n - 1, k);
}

function count_subsets(items, index, target) {
    if (target == 0) {
        return 1;
    }
    if (index >= len(items) || target < 0) {
        return 0;
    }
    with_item = count_subsets(items, index + 1, target - items[index]);
    without_item = count_subsets(items, index + 1, target);
    return with_item + without_item;
}

function permutations_count(n) {
    if (n <= 1) {
        return 1;
    }
    return n * permutations_count(n - 1);
}

function partition(items, pivot, side) {
    out = [];
    for (v in items) {
        if (side < 0 && v < pivot) {
            append(out, v);
        } elif (side == 0 && v == pivot) {
            append(out, v);
        } elif (side > 0 && v > pivot) {
            append(out, v);
        }
    }
    return out;
}

function quicksort(items) {
    if (len(items) <= 1) {
        return items;
    }
    pivot = items[len(items) // 2];
    smaller = quicksort(partition(items, pivot, -1));
    larger = quicksort(partition(items, pivot, 1));
    out = [];
    for (v in smaller) {
        append(out, v);
    }
    for (v in partition(items, pivot, 0)) {
        append(out, v);
    }
    for (v in larger) {
        append(out, v);
    }
    return out;
}

function tree_map(tree, step) {
    if (typeof(tree) != "array") {
        return tree + step;
    }
    out = [];
    for (child in tree) {
        append(out, tree_map(child, step));
    }
    return out;
}

function max_leaf(tree) {
    if (typeof(tree) != "array") {
        return tree;
    }
    best = -1;
    for (child in tree) {
        m = max_leaf(child);
        best = m > best ? m : best;
    }
    return best;
}

function extra_checks() {
    ok = true;
    ok = check("digit_sum", digit_sum(987654321), 45) && ok;
    ok = check("reverse", reverse_string("recursion"), "noisrucer") && ok;
    ok = check("palindrome", is_palindrome("levellevel"), true) && ok;
    ok = check("not palindrome", is_palindrome("mlprof"), false) && ok;
    ok = check("binomial", binomial(12, 5), 792) && ok;
    ok = check("subsets", count_subsets([3, 34, 4, 12, 5, 2], 0, 9), 2) && ok;
    ok = check("permutations", permutations_count(7), 5040) && ok;
    sorted_items = quicksort([5, 1, 4, 1, 5, 9, 2, 6, 5, 3]);
    ok = check("quicksort", csv(sorted_items), "1,1,2,3,4,5,5,5,6,9") && ok;
    ok = check("tree_map", max_leaf(tree_map(build_tree(4, 1), 100)), 131) && ok;
    return ok;
}

function csv(values) {
    out = "";
    for (v in values) {
        out = out == "" ? str(v) : out + "," + str(v);
    }
    return out;
}

// ---------------------------------------------------------------------------
// Checks and driver
// ---------------------------------------------------------------------------

function check(label, got, expected) {
    if (got != expected) {
        print("CHECK FAILED " + label + ": got " + str(got) + ", expected " + str(expected));
        return false;
    }
    return true;
}

function self_checks() {
    ok = true;
    ok = check("factorial", factorial(10), 3628800) && ok;
    ok = check("fib", fib(15), 610) && ok;
    ok = check("gcd", gcd(1071, 462), 21) && ok;
    ok = check("power", power(3, 13), 1594323) && ok;
    ok = check("hanoi", hanoi_moves(8, "a", "c", "b", 0), 255) && ok;
    ok = check("ackermann", ackermann(2, 3), 9) && ok;
    ok = check("even", is_even(180), true) && ok;
    ok = check("odd", is_odd(181), true) && ok;
    sorted_items = merge_sort([9, 3, 7, 1, 8, 2, 6, 4, 5, 0]);
    ok = check("merge_sort", sorted_items[0] == 0 && sorted_items[9] == 9, true) && ok;
    ok = check("binary_search", binary_search(sorted_items, 7, 0, 9), 7) && ok;
    tree = build_tree(6, 1);
    ok = check("leaves", count_leaves(tree), 64) && ok;
    ok = check("depth", tree_depth(tree), 6) && ok;
    ok = check("sum", sum_leaves(tree), len(flatten(tree, [])) * 95 + 32) && ok;
    ok = check("nesting", nesting_of(nested_list(150)), 150) && ok;
    return ok;
}

function run_descents(repeats, depth) {
    checksum = 0;
    r = 0;
    while (r < repeats) {
        checksum = (checksum + descend(depth, r)) % 1000003;
        r = r + 1;
    }
    return checksum;
}

function expected_checksum(repeats, depth) {
    checksum = 0;
    r = 0;
    while (r < repeats) {
        checksum = (checksum + descend_iterative(depth, r)) % 1000003;
        r = r + 1;
    }
    return checksum;
}

if (!self_checks() || !extra_checks()) {
    exit(3);
}
t0 = time.perf_counter();
result = run_descents(REPEATS, DEPTH);
t1 = time.perf_counter();
if (result != expected_checksum(REPEATS, DEPTH)) {
    print("descend checksum mismatch");
    exit(4);
}
print("recursion depth " + str(DEPTH) + " x " + str(REPEATS) + " descents, checksum " + str(result));
print("descend seconds " + str(round(t1 - t0, 4)));
print("max ML depth reached: " + str(DEPTH + 1) + " frames of descend");
