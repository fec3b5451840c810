package dev.kiln.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.TestApp;
import dev.kiln.observe.Json;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The one-pass reader accepts only what the tree walk accepts, and binds it to the same value. */
class ArgsReaderTest {

  record Nullables(@Nullable String maybe, Optional<Integer> opt, List<String> tags) {}

  record Checked(int n) {
    Checked {
      if (n < 0) {
        throw new IllegalArgumentException("n must not be negative");
      }
    }
  }

  record Money(BigDecimal amount, long cents) {}

  @java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.RUNTIME)
  @interface Nullable {}

  private static final ObjectMapper MAPPER = Json.mapper();
  private final ArgsBinder binder = new ArgsBinder(MAPPER);
  private final ArgsReader reader = new ArgsReader(MAPPER, binder);

  private static final String VALID_ECHO = """
      {"text":"hi","number":7,"note":"n","id":"6f1c1a52-3b7a-4c34-9d0a-3d1e9f6b2a10",
       "at":"2026-11-22T10:15:30Z","color":"GREEN","items":[{"label":"a","count":1}],
       "extra":{"k":[1,2.5,null],"big":123456789012345678901234567890}}""";

  @Test
  void validBodiesBindOnePassToWhatTheTreeWalkBinds() throws Exception {
    Object fast = agreeing(VALID_ECHO, TestApp.Echo.class);
    assertNotSame(ArgsReader.DECLINED, fast);
    assertNotSame(ArgsReader.DECLINED, agreeing("{\"tags\":[\"a\"]}", Nullables.class));
    assertNotSame(ArgsReader.DECLINED,
        agreeing("{\"maybe\":null,\"opt\":3,\"tags\":[]}", Nullables.class));
    assertNotSame(ArgsReader.DECLINED, agreeing("{\"n\":1}", Checked.class));
  }

  @Test
  void listsAreImmutableEitherWay() {
    Object fast = reader.read(bytes("{\"tags\":[\"a\"]}"), Nullables.class);
    org.junit.jupiter.api.Assertions.assertThrows(UnsupportedOperationException.class,
        () -> ((Nullables) fast).tags().add("b"));
  }

  @Test
  void everythingTheTreeWalkRefusesIsDeclined() throws Exception {
    for (String body : List.of(
        "null", "[]", "42", "\"s\"", "{}",
        VALID_ECHO.replace("\"text\":\"hi\"", "\"text\":5"),
        VALID_ECHO.replace("\"number\":7", "\"number\":\"7\""),
        VALID_ECHO.replace("\"number\":7", "\"number\":7.0"),
        VALID_ECHO.replace("\"number\":7", "\"number\":99999999999"),
        VALID_ECHO.replace("\"number\":7", "\"number\":null"),
        VALID_ECHO.replace("\"text\":\"hi\",", ""),
        VALID_ECHO.replace("\"text\":\"hi\"", "\"text\":null"),
        VALID_ECHO.replace("\"color\":\"GREEN\"", "\"color\":\"BLUE\""),
        VALID_ECHO.replace("\"id\":\"6f1c", "\"id\":\"xx1c"),
        VALID_ECHO.replace("{\"text\"", "{\"bogus\":1,\"text\""),
        VALID_ECHO.replace("[{\"label\":\"a\",\"count\":1}]", "[{\"count\":1}]"),
        VALID_ECHO.replace("[{\"label\":\"a\",\"count\":1}]", "{\"label\":\"a\",\"count\":1}"))) {
      Object fast = reader.read(bytes(body), TestApp.Echo.class);
      ArgsBinder.Result tree = binder.bind(MAPPER.readTree(body.isEmpty() ? "{}" : body),
          TestApp.Echo.class);
      if (tree instanceof ArgsBinder.Result.Invalid) {
        assertSame(ArgsReader.DECLINED, fast, body);
      } else {
        assertEquals(((ArgsBinder.Result.Bound) tree).value(), fast, body);
      }
    }
    assertSame(ArgsReader.DECLINED, reader.read(bytes("{\"n\":-1}"), Checked.class));
  }

  @Test
  void unusualBodiesAreLeftToTheTreeWalk() throws Exception {
    // null list elements (the tree walk drops them), duplicate keys, decimals for BigDecimal
    assertSame(ArgsReader.DECLINED, reader.read(bytes("{\"tags\":[\"a\",null]}"), Nullables.class));
    assertSame(ArgsReader.DECLINED, reader.read(bytes("{\"tags\":[],\"tags\":[\"a\"]}"), Nullables.class));
    assertSame(ArgsReader.DECLINED,
        reader.read(bytes("{\"amount\":0.1000000000000000000001,\"cents\":1}"), Money.class));
    assertSame(ArgsReader.DECLINED, reader.read(bytes(""), Nullables.class));
    assertSame(ArgsReader.DECLINED, reader.read(bytes("{\"tags\":[]} {}"), Nullables.class));
  }

  @Test
  void theSyntaxScanAgreesWithTheTreeParser() {
    String deep = "[".repeat(1500) + "]".repeat(1500);
    String hugeInt = "{\"n\":" + "9".repeat(5000) + "}";
    String hugeFloat = "{\"n\":1." + "9".repeat(5000) + "}";
    for (String body : List.of("", "{}", "null", "{\"a\":[1,2,{\"b\":null}]}", "{\"text\": ",
        "{} trailing", "{} {}", "[1,2", "{\"a\" 1}", "tru", "\"unterminated", deep, hugeInt,
        hugeFloat, "{\"a\":01}", "{\"a\":NaN}", "'single'")) {
      boolean treeParses;
      try {
        MAPPER.readTree(body);
        treeParses = true;
      } catch (Exception e) {
        treeParses = false;
      }
      assertEquals(treeParses, reader.wellFormed(bytes(body)), body.length() > 60
          ? body.substring(0, 60) + "…" : body);
    }
    byte[] invalidUtf8 = {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
    assertEquals(false, reader.wellFormed(invalidUtf8));
  }

  private Object agreeing(String body, Class<?> type) throws Exception {
    Object fast = reader.read(bytes(body), type);
    ArgsBinder.Result tree = binder.bind(MAPPER.readTree(body), type);
    assertEquals(((ArgsBinder.Result.Bound) tree).value(), fast, body);
    return fast;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
