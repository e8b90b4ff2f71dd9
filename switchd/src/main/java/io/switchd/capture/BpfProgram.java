package io.switchd.capture;

import io.netty.buffer.ByteBuf;

/**
 * A classic BPF program (what libpcap compiles a tcpdump filter to) and its interpreter, run on a
 * frame where it lies: no allocation, no copy. Classic BPF only jumps forward, so a run takes at
 * most as many steps as the program has instructions. A load beyond the frame ends the run with
 * 0 (no match), as the kernel's interpreter does.
 */
public final class BpfProgram {
    // instruction classes
    private static final int LD = 0x00, LDX = 0x01, ST = 0x02, STX = 0x03, ALU = 0x04, JMP = 0x05, RET = 0x06, MISC = 0x07;
    // sizes and modes
    private static final int W = 0x00, H = 0x08, B = 0x10;
    private static final int IMM = 0x00, ABS = 0x20, IND = 0x40, MEM = 0x60, LEN = 0x80, MSH = 0xa0;
    // ALU and jump operations
    private static final int ADD = 0x00, SUB = 0x10, MUL = 0x20, DIV = 0x30, OR = 0x40, AND = 0x50, LSH = 0x60,
            RSH = 0x70, NEG = 0x80, MOD = 0x90, XOR = 0xa0;
    private static final int JA = 0x00, JEQ = 0x10, JGT = 0x20, JGE = 0x30, JSET = 0x40;
    private static final int SRC_X = 0x08;
    private static final int RVAL_A = 0x10;
    private static final int TXA = 0x80;
    /** Scratch memory words, as BPF_MEMWORDS. */
    private static final int MEMWORDS = 16;

    private final short[] code;
    private final byte[] jt;
    private final byte[] jf;
    private final int[] k;
    /** Scratch memory, one row per forwarding loop (counter stripe): loops run the program at once. */
    private final int[][] scratch;

    /**
     * The program of {@code code}, {@code jt}, {@code jf}, {@code k} (one entry per instruction), run
     * by up to {@code stripes} threads at once; throws if it is not a valid classic BPF program.
     */
    public BpfProgram(short[] code, byte[] jt, byte[] jf, int[] k, int stripes) {
        int n = code.length;
        if (n == 0 || jt.length != n || jf.length != n || k.length != n) {
            throw new IllegalArgumentException("an empty or ragged BPF program");
        }
        for (int pc = 0; pc < n; pc++) {
            int c = code[pc] & 0xffff;
            int cls = c & 0x07;
            int next = pc + 1;
            if (cls == JMP) {
                long far = (c & 0xf0) == JA ? next + (k[pc] & 0xffffffffL)
                        : next + Math.max(jt[pc] & 0xff, jf[pc] & 0xff);
                if (far >= n) {
                    throw new IllegalArgumentException("BPF jump out of the program at " + pc);
                }
            } else if ((cls == ST || cls == STX || (cls == LD || cls == LDX) && (c & 0xe0) == MEM)
                    && (k[pc] < 0 || k[pc] >= MEMWORDS)) {
                throw new IllegalArgumentException("BPF scratch word out of range at " + pc);
            } else if (cls != RET && next == n) {
                throw new IllegalArgumentException("BPF program does not end with a return");
            }
        }
        this.code = code;
        this.jt = jt;
        this.jf = jf;
        this.k = k;
        this.scratch = new int[stripes][MEMWORDS];
    }

    /**
     * Runs the program on the {@code length} bytes at {@code from} in {@code buf}, on the loop of
     * counter stripe {@code stripe}; returns what it returns: 0 for no match, else how much to keep.
     */
    public int run(ByteBuf buf, int from, int length, int stripe) {
        int[] mem = scratch[stripe];
        int a = 0;
        int x = 0;
        int pc = 0;
        while (true) {
            int c = code[pc] & 0xffff;
            int kk = k[pc];
            switch (c & 0x07) {
                case LD:
                case LDX: {
                    int mode = c & 0xe0;
                    int v;
                    if (mode == IMM) {
                        v = kk;
                    } else if (mode == LEN) {
                        v = length;
                    } else if (mode == MEM) {
                        v = mem[kk];
                    } else {
                        long off = (mode == IND ? (x & 0xffffffffL) : 0) + (kk & 0xffffffffL);
                        int size = (c & 0x18) == W ? 4 : (c & 0x18) == H ? 2 : 1;
                        if (off + size > length) {
                            return 0;
                        }
                        int at = from + (int) off;
                        if (mode == MSH) {
                            v = (buf.getByte(at) & 0x0f) << 2;
                        } else {
                            v = size == 4 ? buf.getInt(at) : size == 2 ? buf.getUnsignedShort(at) : buf.getUnsignedByte(at);
                        }
                    }
                    if ((c & 0x07) == LD) {
                        a = v;
                    } else {
                        x = v;
                    }
                    break;
                }
                case ST:
                    mem[kk] = a;
                    break;
                case STX:
                    mem[kk] = x;
                    break;
                case ALU: {
                    int s = (c & SRC_X) != 0 ? x : kk;
                    switch (c & 0xf0) {
                        case ADD: a += s; break;
                        case SUB: a -= s; break;
                        case MUL: a *= s; break;
                        case DIV: if (s == 0) { return 0; } a = Integer.divideUnsigned(a, s); break;
                        case MOD: if (s == 0) { return 0; } a = Integer.remainderUnsigned(a, s); break;
                        case OR: a |= s; break;
                        case AND: a &= s; break;
                        case XOR: a ^= s; break;
                        case LSH: a = (s & 0xffffffffL) >= 32 ? 0 : a << s; break;
                        case RSH: a = (s & 0xffffffffL) >= 32 ? 0 : a >>> s; break;
                        case NEG: a = -a; break;
                        default: return 0;
                    }
                    break;
                }
                case JMP: {
                    int op = c & 0xf0;
                    if (op == JA) {
                        pc += kk;
                        break;
                    }
                    long l = a & 0xffffffffL;
                    long r = ((c & SRC_X) != 0 ? x : kk) & 0xffffffffL;
                    boolean taken = op == JEQ ? l == r : op == JGT ? l > r : op == JGE ? l >= r
                            : op == JSET && (l & r) != 0;
                    pc += taken ? jt[pc] & 0xff : jf[pc] & 0xff;
                    break;
                }
                case RET:
                    return (c & 0x18) == RVAL_A ? a : kk;
                case MISC:
                    if ((c & 0xf8) == TXA) {
                        a = x;
                    } else {
                        x = a;
                    }
                    break;
                default:
                    return 0;
            }
            pc++;
        }
    }
}
