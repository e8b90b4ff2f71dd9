package io.switchd.capture;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * Compiles tcpdump's filter language to classic BPF with libpcap (Debian's {@code libpcap0.8}),
 * loaded through JNA when first needed: the filter a user writes means what it means to tcpdump.
 * Off the data path; one compile at a time (libpcap's parser is not reentrant everywhere).
 */
public final class PcapFilter {
    /** DLT_EN10MB: Ethernet frames. */
    private static final int DLT_EN10MB = 1;
    /** PCAP_NETMASK_UNKNOWN: no netmask, so "ip broadcast" is refused rather than guessed. */
    private static final int NETMASK_UNKNOWN = 0xffffffff;
    /** struct bpf_program: u_int bf_len; (padding) struct bpf_insn *bf_insns. */
    private static final int PROGRAM_SIZE = 16;
    private static final int INSN_SIZE = 8;

    /** The part of libpcap's C API used here. */
    interface LibPcap extends Library {
        Pointer pcap_open_dead(int linktype, int snaplen);

        int pcap_compile(Pointer p, Pointer program, String filter, int optimize, int netmask);

        String pcap_geterr(Pointer p);

        void pcap_freecode(Pointer program);

        void pcap_close(Pointer p);
    }

    private static LibPcap lib;
    private static String missing;

    private PcapFilter() {}

    /** Why a filter cannot be used: it does not compile ({@code missingLibrary} false) or libpcap is not there. */
    public static final class FilterException extends Exception {
        private final boolean missingLibrary;

        FilterException(String message, boolean missingLibrary) {
            super(message);
            this.missingLibrary = missingLibrary;
        }

        /** True when libpcap could not be loaded, not the filter's fault. */
        public boolean missingLibrary() {
            return missingLibrary;
        }
    }

    /** {@code filter} compiled for Ethernet frames of up to {@code snaplen} bytes, for {@code stripes} loops. */
    public static synchronized BpfProgram compile(String filter, int snaplen, int stripes) throws FilterException {
        LibPcap pcap = load();
        Pointer handle = pcap.pcap_open_dead(DLT_EN10MB, snaplen);
        if (handle == null) {
            throw new FilterException("libpcap could not open a handle to compile with", false);
        }
        try (Memory program = new Memory(PROGRAM_SIZE)) {
            program.clear();
            if (pcap.pcap_compile(handle, program, filter, 1, NETMASK_UNKNOWN) != 0) {
                throw new FilterException(pcap.pcap_geterr(handle), false);
            }
            try {
                int n = program.getInt(0);
                Pointer insns = program.getPointer(8);
                short[] code = new short[n];
                byte[] jt = new byte[n];
                byte[] jf = new byte[n];
                int[] k = new int[n];
                for (int i = 0; i < n; i++) {
                    long at = (long) i * INSN_SIZE;
                    code[i] = insns.getShort(at);
                    jt[i] = insns.getByte(at + 2);
                    jf[i] = insns.getByte(at + 3);
                    k[i] = insns.getInt(at + 4);
                }
                return new BpfProgram(code, jt, jf, k, stripes);
            } catch (IllegalArgumentException e) {
                throw new FilterException("libpcap's program is not one switchd can run: " + e.getMessage(), false);
            } finally {
                pcap.pcap_freecode(program);
            }
        } finally {
            pcap.pcap_close(handle);
        }
    }

    private static LibPcap load() throws FilterException {
        if (lib == null && missing == null) {
            try {
                lib = Native.load("pcap", LibPcap.class);
            } catch (UnsatisfiedLinkError e) {
                try {
                    lib = Native.load("libpcap.so.0.8", LibPcap.class);
                } catch (UnsatisfiedLinkError e2) {
                    missing = e2.getMessage();
                }
            }
        }
        if (lib == null) {
            throw new FilterException("a capture filter needs libpcap, which could not be loaded (" + missing
                    + "); install it (Debian, Ubuntu: apt-get install libpcap0.8) or capture without --filter", true);
        }
        return lib;
    }
}
