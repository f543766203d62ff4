package dev.natsproof.broker;

/**
 * NATS subject rules, checked before anything is sent so that a typo fails with a clear message
 * instead of a silently dead subscription or a server-side protocol error.
 */
public final class Subjects {
  private Subjects() {}

  /** A subject to publish to: tokens separated by '.', no wildcards, no whitespace. */
  public static String requirePublishable(String subject) {
    check(subject, false, "publish to");
    return subject;
  }

  /** A subject to subscribe to: '*' may stand for a whole token, '>' only as the last token. */
  public static String requireSubscribable(String subject) {
    check(subject, true, "subscribe to");
    return subject;
  }

  /** A queue group name: non-empty, no whitespace. */
  public static String requireQueueName(String queue) {
    if (queue == null || queue.isEmpty()) {
      throw new InvalidSubjectException("queue group name must not be empty");
    }
    for (int i = 0; i < queue.length(); i++) {
      if (Character.isWhitespace(queue.charAt(i))) {
        throw new InvalidSubjectException(
            "queue group name '" + queue + "' contains whitespace at index " + i);
      }
    }
    return queue;
  }

  public static boolean isPublishable(String subject) {
    try {
      check(subject, false, "publish to");
      return true;
    } catch (InvalidSubjectException e) {
      return false;
    }
  }

  private static void check(String subject, boolean wildcardsAllowed, String action) {
    if (subject == null || subject.isEmpty()) {
      throw new InvalidSubjectException("cannot " + action + " an empty subject");
    }
    for (int i = 0; i < subject.length(); i++) {
      char c = subject.charAt(i);
      if (Character.isWhitespace(c) || c == 0) {
        throw new InvalidSubjectException(
            "cannot "
                + action
                + " '"
                + subject
                + "': subjects must not contain whitespace (found at index "
                + i
                + ")");
      }
    }
    String[] tokens = subject.split("\\.", -1);
    for (int i = 0; i < tokens.length; i++) {
      String t = tokens[i];
      if (t.isEmpty()) {
        throw new InvalidSubjectException(
            "cannot "
                + action
                + " '"
                + subject
                + "': empty token (leading, trailing or double '.')");
      }
      boolean wildcard = t.equals("*") || t.equals(">");
      if (wildcard && !wildcardsAllowed) {
        throw new InvalidSubjectException(
            "cannot "
                + action
                + " '"
                + subject
                + "': wildcards ('*', '>') are only for subscriptions; publish to a concrete"
                + " subject");
      }
      if (t.equals(">") && i != tokens.length - 1) {
        throw new InvalidSubjectException(
            "cannot " + action + " '" + subject + "': '>' must be the last token");
      }
      if (!wildcard && (t.indexOf('*') >= 0 || t.indexOf('>') >= 0) && wildcardsAllowed) {
        throw new InvalidSubjectException(
            "cannot "
                + action
                + " '"
                + subject
                + "': a wildcard must be a whole token ('a.*.c', not 'a.b*.c')");
      }
    }
  }
}
