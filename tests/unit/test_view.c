// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* view: the derived numbers of the ML and developer reports, on a synthetic
 * snapshot of one `mlpy run /w/prog.ml` whose every number is worked out by
 * hand below. mlrun_snap() is also used by test_report_ml.c and
 * test_report_dev.c (declared there). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include "classify.h"
#include "mlrun_snap.h"
#include "view.h"
