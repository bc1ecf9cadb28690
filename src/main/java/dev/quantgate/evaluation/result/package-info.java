/**
 * The typed, immutable outcome of an evaluation, from which the JSON and Markdown reports are rendered: per figure
 * its value and 95% interval, per group its figures and support, fairness metrics in two forms, flips, impact,
 * calibration, warnings, timings and the runtime that produced it.
 */
package dev.quantgate.evaluation.result;
