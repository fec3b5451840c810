package dev.kiln.auth;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JWKS, fetched lazily and cached. A token with an unknown {@code kid} triggers a refetch
 * (that is how key rotation reaches us), but fetches are at least {@code minRefetchInterval}
 * apart, and callers that need keys while a fetch is running share it rather than starting their
 * own. Shared by every event loop, so state changes under one short lock; nothing blocks.
 */
final class JwksCache {

  private static final Logger log = LoggerFactory.getLogger(JwksCache.class);

  /** A JWKS is a few kilobytes; anything much larger is not one. */
  static final int MAX_BYTES = 1024 * 1024;

  private final URI uri;
  private final Clock clock;
  private final JwksOptions options;
  private final HttpClient http;

  private final Object lock = new Object();
  private JwkSet keys;               // null until the first successful fetch
  private Instant keysFetchedAt;
  private Instant lastAttemptAt;     // start of the last fetch, successful or not
  private boolean lastAttemptFailed;
  private CompletableFuture<JwkSet> inFlight;

  JwksCache(URI uri, Clock clock, JwksOptions options, HttpClient http) {
    this.uri = uri;
    this.clock = clock;
    this.options = options;
    this.http = http;
  }

  /**
   * The key set to check a token with key id {@code kid} (null: no kid) against. Completes on an
   * HTTP client thread when a fetch was needed; fails with {@code keys_unavailable} when the JWKS
   * cannot be had. A set that still lacks the kid means {@code unknown_key}.
   */
  CompletableFuture<JwkSet> keysFor(String kid) {
    CompletableFuture<JwkSet> answer;
    CompletableFuture<JwkSet> toFetch = null;
    Instant now;
    synchronized (lock) {
      now = clock.instant();
      if (keys != null && keys.hasKid(kid)) {
        if (stale(now) && inFlight == null && fetchAllowed(now)) {
          toFetch = beginFetch(now); // refresh behind the scenes; this token uses what we have
        }
        answer = CompletableFuture.completedFuture(keys);
      } else if (inFlight != null) {
        answer = inFlight;
      } else if (!fetchAllowed(now)) {
        answer = lastAttemptFailed
            ? CompletableFuture.failedFuture(unavailable())
            : CompletableFuture.completedFuture(keys == null ? JwkSet.EMPTY : keys);
      } else {
        answer = toFetch = beginFetch(now);
      }
    }
    if (toFetch != null) {
      send(toFetch, now);
    }
    return answer;
  }

  private boolean stale(Instant now) {
    return keysFetchedAt != null && now.isAfter(keysFetchedAt.plus(options.maxAge()));
  }

  private boolean fetchAllowed(Instant now) {
    return lastAttemptAt == null || !now.isBefore(lastAttemptAt.plus(options.minRefetchInterval()));
  }

  /** Called under {@link #lock}: claims the one fetch slot. */
  private CompletableFuture<JwkSet> beginFetch(Instant now) {
    CompletableFuture<JwkSet> result = new CompletableFuture<>();
    lastAttemptAt = now;
    inFlight = result;
    return result;
  }

  private void send(CompletableFuture<JwkSet> result, Instant startedAt) {
    HttpRequest request = HttpRequest.newBuilder(uri)
        .timeout(options.fetchTimeout())
        .header("Accept", "application/jwk-set+json, application/json")
        .GET()
        .build();
    // sendAsync does its I/O (DNS included) on the client's own threads, never the caller's.
    http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
        .thenApply(this::parse)
        .whenComplete((set, error) -> finish(result, startedAt, set, error));
  }

  private JwkSet parse(HttpResponse<byte[]> response) {
    if (response.statusCode() != 200) {
      throw new IllegalStateException("JWKS endpoint answered HTTP " + response.statusCode());
    }
    if (response.body().length > MAX_BYTES) {
      throw new IllegalStateException("JWKS is larger than " + MAX_BYTES + " bytes");
    }
    return JwkSet.parse(response.body());
  }

  private void finish(CompletableFuture<JwkSet> result, Instant startedAt, JwkSet set,
      Throwable error) {
    synchronized (lock) {
      if (inFlight == result) {
        inFlight = null;
      }
      lastAttemptFailed = error != null;
      if (error == null) {
        keys = set;
        keysFetchedAt = startedAt;
      }
    }
    // Complete outside the lock: dependents run inline and must not hold it.
    if (error == null) {
      log.debug("Fetched {} signing keys from {}", set.keys().size(), uri);
      result.complete(set);
    } else {
      Throwable cause = error.getCause() != null ? error.getCause() : error;
      log.warn("Could not fetch the JWKS from {}: {}", uri, cause.toString());
      result.completeExceptionally(unavailable());
    }
  }

  private static AuthException unavailable() {
    return new AuthException(AuthException.KEYS_UNAVAILABLE,
        "the signing keys could not be fetched; try again later");
  }
}
