package dev.kvactors.server;

import static java.util.Objects.requireNonNull;

import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.util.ByteString;

/**
 * The last stage before a connection's TCP sink: gives the bytes of an element back to the
 * connection's {@link ClientMemory.Account} once the sink asks for the next one. Pekko's TCP
 * stage asks for the next element only when the previous write was accepted by the socket, so a
 * reply counts until it is written, not merely until it is handed over.
 */
final class ReleaseOnWrite extends GraphStage<FlowShape<ByteString, ByteString>> {
  private final Inlet<ByteString> in = Inlet.create("ReleaseOnWrite.in");
  private final Outlet<ByteString> out = Outlet.create("ReleaseOnWrite.out");
  private final FlowShape<ByteString, ByteString> shape = FlowShape.of(in, out);
  private final ClientMemory.Account account;

  ReleaseOnWrite(ClientMemory.Account account) {
    this.account = requireNonNull(account, "account is null");
  }

  @Override
  public FlowShape<ByteString, ByteString> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes inheritedAttributes) {
    return new GraphStageLogic(shape) {
      private long written;

      {
        setHandler(in, new AbstractInHandler() {
          @Override
          public void onPush() {
            ByteString bytes = grab(in);
            written = bytes.size();
            push(out, bytes);
          }
        });
        setHandler(out, new AbstractOutHandler() {
          @Override
          public void onPull() {
            account.release(written);
            written = 0;
            pull(in);
          }
        });
      }
    };
  }
}
