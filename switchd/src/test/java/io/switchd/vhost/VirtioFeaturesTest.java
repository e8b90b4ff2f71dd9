package io.switchd.vhost;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The names listings show for negotiated feature bits. */
class VirtioFeaturesTest {
    @Test
    void setBitsAreNamedLowestFirst() {
        assertEquals(List.of("csum", "mrg_rxbuf", "protocol_features", "version_1"),
                VirtioFeatures.names(VirtioFeatures.mask(VirtioFeatures.VERSION_1, VirtioFeatures.CSUM,
                        VirtioFeatures.MRG_RXBUF, VirtioFeatures.PROTOCOL_FEATURES)));
    }

    @Test
    void bitsWithoutANameAreNumbered() {
        assertEquals(List.of("guest_ecn", "bit_33", "bit_63"), VirtioFeatures.names((1L << 9) | (1L << 33) | (1L << 63)));
        assertEquals(List.of(), VirtioFeatures.names(0));
    }
}
