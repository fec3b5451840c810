package dev.kiln.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Expands {@code ${VAR}} and {@code ${VAR:-default}} in the string values of a parsed config file,
 * from the environment map it is given (never {@code System.getenv()}, so tests control it).
 * <code>$${</code> is a literal <code>${</code>. The syntax follows the shell: {@code :-} takes the default when
 * the variable is unset <em>or empty</em>; a bare {@code ${VAR}} that is set but empty is empty.
 */
final class Substitution {

  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private final Map<String, String> env;
  private final Problems problems;

  Substitution(Map<String, String> env, Problems problems) {
    this.env = env;
    this.problems = problems;
  }

  /**
   * Expands every string in {@code tree} in place, except under the dotted keys in {@code literal}:
   * those came from environment overrides or flags and are taken as written.
   */
  void expandAll(ObjectNode tree, Set<String> literal) {
    for (String name : fieldNames(tree)) {
      expandField(tree, name, name, literal);
    }
  }

  private void expandField(ObjectNode parent, String name, String key, Set<String> literal) {
    if (literal.contains(key)) {
      return;
    }
    JsonNode value = parent.get(name);
    if (value.isTextual()) {
      parent.set(name, TextNode.valueOf(expand(value.textValue(), key)));
    } else if (value.isArray()) {
      var array = (ArrayNode) value;
      for (int i = 0; i < array.size(); i++) {
        if (array.get(i).isTextual()) {
          array.set(i, TextNode.valueOf(expand(array.get(i).textValue(), key)));
        }
      }
    } else if (value.isObject()) {
      var object = (ObjectNode) value;
      for (String child : fieldNames(object)) {
        expandField(object, child, key + "." + child, literal);
      }
    }
  }

  private static List<String> fieldNames(ObjectNode object) {
    var names = new ArrayList<String>();
    object.fieldNames().forEachRemaining(names::add);
    return names;
  }

  /** One string; problems are reported against {@code key} and the reference is left as written. */
  String expand(String text, String key) {
    if (!text.contains("${")) {
      return text;
    }
    var out = new StringBuilder(text.length());
    int i = 0;
    while (i < text.length()) {
      if (text.startsWith("$${", i)) {
        out.append("${");
        i += 3;
      } else if (text.startsWith("${", i)) {
        int close = text.indexOf('}', i + 2);
        if (close < 0) {
          problems.add(key, "unterminated ${ in \"" + Redaction.value(key, text)
              + "\"; close it with }, or write $${ for a literal ${");
          return text;
        }
        String reference = text.substring(i, close + 1);
        out.append(resolve(reference, text.substring(i + 2, close), key));
        i = close + 1;
      } else {
        out.append(text.charAt(i++));
      }
    }
    return out.toString();
  }

  private String resolve(String reference, String body, String key) {
    int sep = body.indexOf(":-");
    String name = sep < 0 ? body : body.substring(0, sep);
    if (!NAME.matcher(name).matches()) {
      problems.add(key, "invalid variable name in " + reference
          + "; use ${NAME} or ${NAME:-default} with letters, digits and _");
      return reference;
    }
    String value = env.get(name);
    if (sep >= 0) {
      return value == null || value.isEmpty() ? body.substring(sep + 2) : value;
    }
    if (value == null) {
      problems.add(key, "environment variable " + name + " is not set (referenced as " + reference + ")");
      return reference;
    }
    return value;
  }
}
