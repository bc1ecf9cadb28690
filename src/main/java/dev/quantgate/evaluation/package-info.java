/**
 * Evaluation engine: runs a source model and a quantized variant on the same data (or reads their
 * predictions), and measures accuracy and fairness across groups of people, with paired-bootstrap
 * intervals. Plain Java: no Quarkus or Jakarta imports, so it runs from the command line and in tests.
 */
package dev.quantgate.evaluation;
