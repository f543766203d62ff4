package dev.natsproof.results;

/**
 * How often a known server behaviour occurred in a run, and what that means on the version run.
 *
 * @param id the finding's id in {@link Findings}
 * @param count occurrences in the run
 * @param verdict INFO where the finding is expected on this version, FAIL where it is not (a
 *     version that fixed it does it again)
 * @param judgement the rule's reasoning, in words
 */
public record FindingCount(String id, long count, Verdict verdict, String judgement) {}
