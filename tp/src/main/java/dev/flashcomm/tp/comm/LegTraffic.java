package dev.flashcomm.tp.comm;

/**
 * Who sends and who receives on one expert-parallel leg, in payload rows per rank, from the real routing.
 *
 * @param sent     rows rank r sends to other ranks (what costs link time; rows that stay home are free)
 * @param received on dispatch, the rows rank r's experts receive, its own tokens' included (the load each rank's
 *                 experts carry); on combine, the rows rank r receives from other ranks
 */
public record LegTraffic(long[] sent, long[] received) {

    public LegTraffic {
        if (sent.length != received.length) {
            throw new IllegalArgumentException("sent and received must have one entry per rank");
        }
        sent = sent.clone();
        received = received.clone();
    }

    @Override
    public long[] sent() {
        return sent.clone();
    }

    @Override
    public long[] received() {
        return received.clone();
    }

    public int ranks() {
        return sent.length;
    }
}
