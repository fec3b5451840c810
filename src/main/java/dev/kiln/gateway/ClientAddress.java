package dev.kiln.gateway;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The address of the client a request comes from, for per-address limits (anonymous rate limits,
 * SSE sessions per address). Behind a load balancer the socket's peer is the balancer, so with
 * {@code gateway.trusted_proxies} set, {@code X-Forwarded-For} is read from the right: each hop a
 * trusted proxy added is skipped, and the first address no trusted proxy vouches for is the
 * client. Entries further left were written by the client itself and are never believed. Without
 * trusted proxies the header is ignored: nobody can choose their own address by sending it.
 */
public final class ClientAddress {

  static final String KEY = "kiln.clientAddress";
  private static final Pattern IPV4 = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

  /** One trusted range: an address and how many of its leading bits must match. */
  private record Range(byte[] address, int bits) {
    boolean contains(byte[] other) {
      if (other.length != address.length) {
        return false;
      }
      int full = bits / 8;
      for (int i = 0; i < full; i++) {
        if (other[i] != address[i]) {
          return false;
        }
      }
      int rest = bits % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xFF << (8 - rest)) & 0xFF;
      return (other[full] & mask) == (address[full] & mask);
    }
  }

  private final List<Range> trusted;

  private ClientAddress(List<Range> trusted) {
    this.trusted = trusted;
  }

  /**
   * Trusts {@code proxies}: addresses ({@code 10.0.0.7}, {@code ::1}) or CIDR ranges
   * ({@code 10.0.0.0/8}).
   *
   * @throws IllegalArgumentException naming the first entry that is neither
   */
  public static ClientAddress trusting(List<String> proxies) {
    List<Range> ranges = new ArrayList<>();
    for (String p : proxies) {
      ranges.add(range(p));
    }
    return new ClientAddress(List.copyOf(ranges));
  }

  /** Null when {@code proxy} is a valid address or CIDR range, else what is wrong with it. */
  public static String problem(String proxy) {
    try {
      range(proxy);
      return null;
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
  }

  private static Range range(String text) {
    String s = text.trim();
    int slash = s.indexOf('/');
    byte[] address = literal(slash < 0 ? s : s.substring(0, slash));
    if (address == null) {
      throw new IllegalArgumentException("\"" + text + "\" is not an IP address or CIDR range "
          + "(e.g. 10.0.0.0/8, 127.0.0.1, fd00::/8)");
    }
    int max = address.length * 8;
    int bits = max;
    if (slash >= 0) {
      try {
        bits = Integer.parseInt(s.substring(slash + 1));
      } catch (NumberFormatException e) {
        bits = -1;
      }
      if (bits < 0 || bits > max) {
        throw new IllegalArgumentException("\"" + text + "\": the prefix length must be 0.." + max);
      }
    }
    return new Range(address, bits);
  }

  /**
   * The bytes of an IP literal (IPv4-mapped IPv6 as IPv4), or null for anything else. Never a
   * DNS lookup: only strings shaped like addresses reach {@link InetAddress#getByName}.
   */
  static byte[] literal(String s) {
    String text = s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
    boolean v4 = IPV4.matcher(text).matches();
    if (v4) {
      for (String octet : text.split("\\.")) {
        if (Integer.parseInt(octet) > 255) {
          return null; // getByName would take "999.1.1.1" for a host name and look it up
        }
      }
    } else if (!IPV6.matcher(text).matches()) {
      return null; // with a colon, getByName parses an IPv6 literal or fails, never resolves
    }
    try {
      return InetAddress.getByName(text).getAddress();
    } catch (UnknownHostException | IllegalArgumentException e) {
      return null;
    }
  }

  /** Works out the request's client address once, at admission; {@link #get} returns it. */
  void resolve(RoutingContext ctx) {
    if (!trusted.isEmpty()) {
      ctx.put(KEY, of(ctx.request()));
    }
  }

  /** The client address of a request that passed the gateway's admission. */
  public static String get(RoutingContext ctx) {
    String resolved = ctx.get(KEY);
    return resolved != null ? resolved : ctx.request().remoteAddress().hostAddress();
  }

  String of(HttpServerRequest request) {
    String peer = request.remoteAddress().hostAddress();
    if (!isTrusted(peer)) {
      return peer;
    }
    List<String> hops = new ArrayList<>();
    for (String header : request.headers().getAll("x-forwarded-for")) {
      for (String hop : header.split(",")) {
        if (!hop.isBlank()) {
          hops.add(hop.trim());
        }
      }
    }
    for (int i = hops.size() - 1; i >= 0; i--) {
      if (!isTrusted(hops.get(i))) {
        return hops.get(i);
      }
    }
    // every hop is a trusted proxy: the leftmost is as close to the client as anyone can tell
    return hops.isEmpty() ? peer : hops.get(0);
  }

  private boolean isTrusted(String address) {
    byte[] bytes = literal(address);
    if (bytes == null) {
      return false;
    }
    for (Range r : trusted) {
      if (r.contains(bytes)) {
        return true;
      }
    }
    return false;
  }
}
