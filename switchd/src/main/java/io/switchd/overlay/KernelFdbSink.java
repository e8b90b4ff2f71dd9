package io.switchd.overlay;

import io.switchd.port.kind.VxlanSettings;
import io.switchd.sys.VxlanLinks;

/** The entries of the kernel's vxlan device {@code device}, over rtnetlink ({@link VxlanLinks}). */
record KernelFdbSink(String device) implements FdbSink {
    @Override
    public void flood(String address) throws Exception {
        VxlanLinks.flood(device, VxlanSettings.remote(address));
    }

    @Override
    public void unflood(String address) throws Exception {
        VxlanLinks.unflood(device, VxlanSettings.remote(address));
    }

    @Override
    public void unicast(long mac, String address) throws Exception {
        VxlanLinks.unicast(device, bytes(mac), VxlanSettings.remote(address));
    }

    @Override
    public void removeUnicast(long mac) throws Exception {
        VxlanLinks.removeUnicast(device, bytes(mac));
    }

    private static byte[] bytes(long mac) {
        byte[] b = new byte[6];
        for (int i = 0; i < 6; i++) {
            b[i] = (byte) (mac >>> ((5 - i) * 8));
        }
        return b;
    }
}
