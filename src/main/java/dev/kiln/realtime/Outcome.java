package dev.kiln.realtime;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * One execution of a live query, as sent: the result JSON, or the problem JSON when it failed.
 * Two outcomes are "the same" when their hashes are equal, and then nothing is sent.
 */
record Outcome(boolean ok, byte[] json, byte[] hash) {

  static Outcome of(boolean ok, byte[] json) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update((byte) (ok ? 1 : 0));
      return new Outcome(ok, json, sha.digest(json));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /** The SSE event name this outcome travels as. */
  String event() {
    return ok ? "update" : "problem";
  }
}
