/**
 * Typed, immutable policy records, bound from a validated policy file. The planner, the workers and
 * the promotion gate read these; none of them re-parses YAML. Plain Java: no framework imports.
 */
package dev.quantgate.policy.model;
