package dev.kiln.jobs;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * UUIDv7 (RFC 9562) job ids, minted here rather than by the database: PostgreSQL before 18 has no
 * {@code uuidv7()}, and knowing ids before the insert lets a bulk enqueue return them in order
 * without relying on the order of {@code RETURNING}. Time-ordered ids keep the primary key's
 * inserts at its right edge. Not secret: a job id grants nothing by itself.
 */
final class JobIds {

  private JobIds() {}

  static UUID next() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long ms = System.currentTimeMillis();
    long msb = (ms << 16) | 0x7000L | (random.nextLong() & 0x0FFFL);
    long lsb = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(msb, lsb);
  }
}
