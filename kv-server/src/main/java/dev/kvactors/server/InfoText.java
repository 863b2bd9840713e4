package dev.kvactors.server;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.ThreadMXBean;
import java.util.Locale;

/** The text of an {@code INFO} reply, laid out as Redis does, and the JVM's memory and CPU figures. */
final class InfoText {
  private final StringBuilder text = new StringBuilder();

  /** Starts {@code # Name}; sections after the first are apart by an empty line. */
  InfoText section(String name) {
    if (text.length() > 0) {
      text.append("\r\n");
    }
    text.append("# ").append(name).append("\r\n");
    return this;
  }

  InfoText line(String field, Object value) {
    text.append(field).append(':').append(value).append("\r\n");
    return this;
  }

  /** Lines already ending in CRLF. */
  InfoText lines(String lines) {
    text.append(lines);
    return this;
  }

  @Override
  public String toString() {
    return text.toString();
  }

  /**
   * Memory in Redis's fields where the JVM has the figure: {@code used_memory} is the heap in use,
   * {@code used_memory_peak} the sum of the heap pools' peaks, {@code maxmemory} the heap's limit
   * (-Xmx); {@code kv_*} fields add what Redis has no name for.
   */
  static void memory(InfoText info) {
    Runtime runtime = Runtime.getRuntime();
    long used = runtime.totalMemory() - runtime.freeMemory();
    long peak = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
        peak += pool.getPeakUsage().getUsed();
      }
    }
    peak = Math.max(peak, used);
    long max = runtime.maxMemory();
    long nonHeap = ManagementFactory.getMemoryMXBean().getNonHeapMemoryUsage().getUsed();
    info.line("used_memory", used)
        .line("used_memory_human", human(used))
        .line("used_memory_peak", peak)
        .line("used_memory_peak_human", human(peak))
        .line("maxmemory", max)
        .line("maxmemory_human", human(max))
        .line("maxmemory_policy", "noeviction")
        .line("kv_heap_committed", runtime.totalMemory())
        .line("kv_non_heap_used", nonHeap);
  }

  /**
   * The process's CPU seconds, as Redis's {@code used_cpu_sys}/{@code used_cpu_user}: the process
   * total from the OperatingSystemMXBean, its user part the sum of the live threads' user time
   * (ThreadMXBean; threads that have ended count in the total only, so their time shows as sys).
   */
  static void cpu(InfoText info) {
    long total = processCpuNanos();
    long user = 0;
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    if (threads.isThreadCpuTimeSupported() && threads.isThreadCpuTimeEnabled()) {
      for (long id : threads.getAllThreadIds()) {
        long t = threads.getThreadUserTime(id);
        if (t > 0) {
          user += t;
        }
      }
    }
    if (total < 0) {
      total = user;
    }
    user = Math.min(user, total);
    info.line("used_cpu_sys", seconds(total - user))
        .line("used_cpu_user", seconds(user))
        .line("used_cpu_sys_children", seconds(0))
        .line("used_cpu_user_children", seconds(0));
  }

  private static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }

  private static String seconds(long nanos) {
    return String.format(Locale.ROOT, "%.6f", nanos / 1e9);
  }

  /** As Redis's {@code bytesToHuman}: 1.50K, 12.00M, ... */
  static String human(long bytes) {
    double n = bytes;
    String[] units = {"B", "K", "M", "G", "T", "P"};
    int unit = 0;
    while (n >= 1024 && unit < units.length - 1) {
      n /= 1024;
      unit++;
    }
    return unit == 0 ? bytes + "B" : String.format(Locale.ROOT, "%.2f%s", n, units[unit]);
  }
}
