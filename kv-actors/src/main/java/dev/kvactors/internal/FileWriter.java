package dev.kvactors.internal;

import static java.util.Objects.requireNonNull;

import dev.kvactors.Durability;
import dev.kvactors.KvException;
import dev.kvactors.KvSettings;
import dev.kvactors.internal.storage.Compaction;
import dev.kvactors.internal.storage.CorruptDataException;
import dev.kvactors.internal.storage.DataDir;
import dev.kvactors.internal.storage.DataDirLockedException;
import dev.kvactors.internal.storage.Mutation;
import dev.kvactors.internal.storage.RecordCodec;
import dev.kvactors.internal.storage.RecordLog;
import dev.kvactors.internal.storage.Recovery;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.pattern.StatusReply;

/**
 * Sole owner of the data directory. At start it takes the directory's lock, recovers snapshot and
 * logs, and hands the map to its parent. Then it appends one checksummed record per change; all
 * records that arrive before its {@code Flush} share one write and one sync (group commit), after
 * which the parent is told how far the log is persisted. When the log outgrows the snapshot it
 * starts a new log and compacts the old ones in the background. After a failed write or sync it
 * acknowledges nothing more (fail-stop). Runs on the blocking-I/O dispatcher.
 *
 * <p>It answers in its own types ({@link Reply}, {@link Synced}, {@link HeartbeatSender.Beat}),
 * which the parent adapts ({@code context.messageAdapter}): the writer knows nothing of the
 * key-value actor or the router above it.
 */
public final class FileWriter extends AbstractBehavior<FileWriter.Command> {

  public sealed interface Command {}

  /** Persist {@code mutation}; {@code seq} grows by one with every append. */
  public record Append(long seq, Mutation mutation) implements Command {}

  /** Write and force everything appended so far, in any durability mode, then answer. */
  public record Sync(ActorRef<StatusReply<Synced>> replyTo) implements Command {}

  /** Write what is in the mailbox before this, sync, and stop. */
  public enum Stop implements Command {
    INSTANCE
  }

  /** What the writer tells its parent; each names the writer, so a replaced writer's late word is ignored. */
  public sealed interface Reply {}

  /**
   * The data directory is open and recovered: {@code entries} is the map, {@code deadlines} the
   * deadlines of its keys that have one (epoch millis; some may have passed).
   */
  public record Recovered(ActorRef<Command> writer, Map<String, byte[]> entries, Map<String, Long> deadlines)
      implements Reply {}

  /** The data directory could not be opened or recovered; the writer has stopped. */
  public record RecoveryFailed(ActorRef<Command> writer, KvException error) implements Reply {}

  /** Every {@link Append} up to {@code upToSeq} is persisted per the durability mode. */
  public record Persisted(ActorRef<Command> writer, long upToSeq) implements Reply {}

  /** A write or sync failed: nothing after it will be persisted (fail-stop). */
  public record PersistFailed(ActorRef<Command> writer, KvException error) implements Reply {}

  /** The answer to {@link Sync}. */
  public enum Synced {
    INSTANCE
  }

  private enum Flush implements Command {
    INSTANCE
  }

  private enum Tick implements Command {
    INSTANCE
  }

  private record CompactionFinished(long generation, long snapshotBytes, Throwable failure) implements Command {}

  private static final int BATCH_BUFFER_BYTES = 64 * 1024;

  /**
   * A writer of {@code settings}' data directory that tells {@code parent} what it recovered and
   * persisted, and beats to {@code heartbeats}.
   */
  public static Behavior<Command> create(KvSettings settings, ActorRef<Reply> parent,
      ActorRef<HeartbeatSender.Beat> heartbeats, FaultHooks hooks) {
    return Behaviors.setup(ctx -> {
      DataDir dataDir;
      try {
        hooks.beforeRecovery();
        dataDir = DataDir.open(settings.dataDir(), settings.lockWait());
      } catch (IOException | RuntimeException e) {
        String message = e instanceof DataDirLockedException || e instanceof CorruptDataException
            ? e.getMessage()
            : "cannot open data directory " + settings.dataDir() + ": " + describe(e);
        if (e instanceof IOException) {
          ctx.getLog().error(message); // the cause is in the message; no stack trace for a known condition
        } else {
          ctx.getLog().error(message, e);
        }
        KvException error = e instanceof DataDirLockedException
            ? new KvException.DataDirLocked(message, e)
            : new KvException.RecoveryFailed(message, e);
        parent.tell(new RecoveryFailed(ctx.getSelf(), error));
        return Behaviors.stopped();
      }
      Recovery.State state = dataDir.recovered();
      state.notes().forEach(note -> ctx.getLog().warn(note));
      state.tornTail().ifPresent(t -> ctx.getLog().warn(
          "Cut off a torn record at the end of {}: offset {}, {} bytes dropped ({})",
          t.file(), t.offset(), t.bytes(), t.reason()));
      ctx.getLog().info("Recovered {} keys from {} ({} log records replayed, snapshot {} bytes, log {} bytes)",
          state.entries().size(), settings.dataDir(), state.recordsReplayed(), state.snapshotBytes(),
          state.logBytes());
      parent.tell(new Recovered(ctx.getSelf(), state.entries(), state.deadlines()));
      return Behaviors.withTimers(timers -> new FileWriter(ctx, timers, settings, parent, heartbeats, hooks, dataDir,
          dataDir.log(), state));
    });
  }

  private final KvSettings settings;
  private final ActorRef<Reply> parent;
  private final FaultHooks hooks;
  private final DataDir dataDir;
  private final RecordCodec codec = new RecordCodec();
  private final Executor blockingExecutor;
  private RecordLog log;
  private ByteBuffer batch = ByteBuffer.allocate(BATCH_BUFFER_BYTES);
  private long batchLastSeq = -1;
  private boolean flushScheduled;
  private boolean unsynced;
  private KvException failure;
  private long logBytes;
  private long snapshotBytes;
  private long compactionPostponedUntilBytes;
  private CompletableFuture<Long> compaction;
  private final AtomicBoolean compactionCancelled = new AtomicBoolean();
  private final HeartbeatSender heartbeat;

  private FileWriter(ActorContext<Command> ctx, TimerScheduler<Command> timers, KvSettings settings,
      ActorRef<Reply> parent, ActorRef<HeartbeatSender.Beat> heartbeats, FaultHooks hooks,
      DataDir dataDir, RecordLog log, Recovery.State state) {
    super(ctx);
    this.settings = requireNonNull(settings, "settings is null");
    this.parent = requireNonNull(parent, "parent is null");
    this.hooks = requireNonNull(hooks, "hooks is null");
    this.dataDir = requireNonNull(dataDir, "dataDir is null");
    this.log = requireNonNull(log, "log is null");
    this.logBytes = state.logBytes();
    this.snapshotBytes = state.snapshotBytes();
    this.blockingExecutor = ctx.getSystem().dispatchers().lookup(DispatcherSelector.blocking());
    this.heartbeat = new HeartbeatSender(heartbeats, ActorKind.WRITER, ctx.getSelf(), settings.heartbeatInterval());
    timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.heartbeatInterval());
    heartbeat.beatIfDue();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Append.class, this::onAppend)
        .onMessageEquals(Flush.INSTANCE, this::onFlush)
        .onMessage(Sync.class, this::onSync)
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .onMessageEquals(Stop.INSTANCE, Behaviors::stopped)
        .onMessage(CompactionFinished.class, this::onCompactionFinished)
        .onSignal(PostStop.class, signal -> onPostStop())
        .build();
  }

  private Behavior<Command> onAppend(Append append) {
    heartbeat.beatIfDue();
    if (failure != null) {
      parent.tell(new PersistFailed(getContext().getSelf(), failure));
      return this;
    }
    batch = codec.appendRecord(append.mutation(), batch);
    batchLastSeq = append.seq();
    if (!flushScheduled) {
      flushScheduled = true;
      getContext().getSelf().tell(Flush.INSTANCE);
    }
    return this;
  }

  private Behavior<Command> onFlush() {
    flushScheduled = false;
    if (batch.position() == 0 || failure != null) {
      return this;
    }
    try {
      hooks.beforeFlush();
      dataDir.beforeAppend();
      writeBatch();
      if (settings.durability() == Durability.FSYNC) {
        syncLog();
      }
    } catch (IOException | RuntimeException e) {
      failStop("writing " + log.file(), e);
      return this;
    }
    parent.tell(new Persisted(getContext().getSelf(), batchLastSeq));
    maybeCompact();
    return this;
  }

  private Behavior<Command> onSync(Sync sync) {
    onFlush();
    if (failure == null) {
      try {
        syncLog();
      } catch (IOException e) {
        failStop("syncing " + log.file(), e);
      }
    }
    sync.replyTo().tell(failure == null ? StatusReply.success(Synced.INSTANCE)
        : StatusReply.error(failure));
    return this;
  }

  /**
   * After a failed write or sync nothing more is acknowledged: what reached the disk is unknown,
   * and retrying an fsync can report success for data the kernel already dropped.
   */
  private void failStop(String what, Exception e) {
    failure = new KvException.StorageFailed(what + " failed (" + describe(e)
        + "); the store accepts no more writes until it is restarted", e);
    getContext().getLog().error(failure.getMessage(), e);
    parent.tell(new PersistFailed(getContext().getSelf(), failure));
  }

  private void writeBatch() throws IOException {
    batch.flip();
    long before = log.size();
    unsynced = true;
    log.write(batch);
    logBytes += log.size() - before;
    if (batch.capacity() > BATCH_BUFFER_BYTES * 16) {
      batch = ByteBuffer.allocate(BATCH_BUFFER_BYTES);
    } else {
      batch.clear();
    }
  }

  /** Forces the log if anything was written since the last force. */
  private void syncLog() throws IOException {
    if (unsynced) {
      log.sync();
      unsynced = false;
    }
  }

  private Behavior<Command> onTick() {
    heartbeat.beatIfDue();
    return this;
  }

  private void maybeCompact() {
    long threshold = Math.max(settings.compactionMinLogBytes(), (long) (settings.compactionFactor() * snapshotBytes));
    if (compaction != null || logBytes <= threshold || logBytes < compactionPostponedUntilBytes) {
      return;
    }
    long newGeneration = log.generation() + 1;
    try {
      syncLog();
      log = dataDir.startNewLog(log);
    } catch (IOException e) {
      failStop("starting log " + newGeneration + " in " + settings.dataDir(), e);
      return;
    }
    logBytes = log.size();
    getContext().getLog().info("Compacting {}: new snapshot up to log generation {}", settings.dataDir(),
        newGeneration);
    compactionCancelled.set(false);
    compaction = CompletableFuture.supplyAsync(() -> {
      try {
        return Compaction.run(dataDir, newGeneration, hooks.currentTimeMillis(), compactionCancelled::get);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }, blockingExecutor);
    getContext().pipeToSelf(compaction, (bytes, failed) -> new CompactionFinished(newGeneration,
        bytes == null ? -1 : bytes, failed));
  }

  private Behavior<Command> onCompactionFinished(CompactionFinished finished) {
    compaction = null;
    if (finished.failure() == null) {
      snapshotBytes = finished.snapshotBytes();
      getContext().getLog().info("Compacted {}: snapshot of {} bytes, logs before generation {} removed",
          settings.dataDir(), snapshotBytes, finished.generation());
    } else {
      Futures.rethrowIfFatal(finished.failure());
      compactionPostponedUntilBytes = logBytes + Math.max(settings.compactionMinLogBytes(), 1);
      getContext().getLog().warn("Compaction of {} failed ({}); the logs are intact and it will be retried",
          settings.dataDir(), describe(finished.failure()));
    }
    return this;
  }

  /**
   * The close sequence: write what is batched, let a running compaction stop, force the log once
   * (only if anything was written since the last force), then record the clean shutdown in the
   * manifest and release the lock. After a failure nothing is forced and the shutdown is not
   * recorded as clean, so the next start treats a damaged end of the log as a torn write.
   */
  private Behavior<Command> onPostStop() {
    boolean clean = failure == null;
    if (clean && batch.position() > 0) {
      try {
        dataDir.beforeAppend();
        writeBatch();
      } catch (IOException e) {
        clean = false;
        getContext().getLog().error("Writing the last {} bytes to {} on stop failed", batch.position(),
            log.file(), e);
      }
    }
    CompletableFuture<Long> running = compaction;
    if (running != null) {
      compactionCancelled.set(true);
      try {
        running.get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        // cancelled or failed: the old snapshot and all logs are still in place
      }
    }
    try {
      if (clean) {
        syncLog();
      }
      log.close();
      if (clean) {
        dataDir.closeCleanly(log);
      }
    } catch (IOException | RuntimeException e) {
      getContext().getLog().error("Closing {} failed", log.file(), e);
    }
    try {
      dataDir.close();
    } catch (IOException e) {
      getContext().getLog().error("Releasing the lock of the data directory failed", e);
    }
    return this;
  }

  /** A one-line description of an I/O failure, naming the cause the way a user would. */
  static String describe(Throwable e) {
    Throwable t = e;
    while ((t instanceof CompletionException || t instanceof UncheckedIOException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    String message = t.getMessage();
    if (t instanceof AccessDeniedException) {
      return "permission denied: " + message;
    }
    if (t instanceof NoSuchFileException) {
      return "no such file: " + message;
    }
    if (t instanceof FileSystemException fse && fse.getReason() != null) {
      return fse.getReason() + ": " + fse.getFile();
    }
    return message != null ? message : t.getClass().getSimpleName();
  }
}
