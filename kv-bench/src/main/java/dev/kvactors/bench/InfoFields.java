package dev.kvactors.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/** The {@code field:value} lines of a RESP {@code INFO} reply, and what the cluster scenarios read from them. */
final class InfoFields {
  private InfoFields() {}

  /** The fields in reply order; section headers ({@code # Cluster}) and blank lines are skipped. */
  static Map<String, String> parse(String info) {
    Map<String, String> fields = new LinkedHashMap<>();
    for (String line : info.split("\r\n|\n")) {
      int colon = line.indexOf(':');
      if (line.startsWith("#") || colon <= 0) {
        continue;
      }
      fields.put(line.substring(0, colon), line.substring(colon + 1).strip());
    }
    return fields;
  }

  /**
   * Whether a node's {@code cluster} section shows {@code members} members, every one of them Up,
   * and none unreachable.
   */
  static boolean allUp(Map<String, String> fields, int members) {
    if (!Integer.toString(members).equals(fields.get("kv_cluster_members"))
        || !"0".equals(fields.get("kv_cluster_unreachable"))) {
      return false;
    }
    String list = fields.getOrDefault("kv_cluster_members_list", "");
    if (list.isEmpty()) {
      return false;
    }
    String[] entries = list.split(",");
    if (entries.length != members) {
      return false;
    }
    for (String entry : entries) {
      if (!entry.endsWith("=Up")) {
        return false;
      }
    }
    return true;
  }
}
