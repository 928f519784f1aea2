package io.lrok.internal.tls;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * One {@code -----BEGIN label-----} ... {@code -----END label-----} block of a PEM text, decoded.
 *
 * @param label     the label, e.g. {@code CERTIFICATE}
 * @param der       the decoded base64
 * @param encrypted whether the block had RFC 1421 headers saying {@code Proc-Type: 4,ENCRYPTED} (legacy OpenSSL
 *                  encrypted keys)
 * @param line      the 1-based line of its BEGIN line, for messages
 */
record PemBlock(String label, byte[] der, boolean encrypted, int line) {

    private static final String BEGIN = "-----BEGIN ", END = "-----END ", DASHES = "-----";

    /** @return "the CERTIFICATE block at line 12", for messages */
    String where() {
        return "the " + label + " block at line " + line;
    }

    /**
     * Splits a PEM text into its blocks, in order, ignoring lines outside them.
     *
     * @throws PemException if a block has no END line, a mismatched one, a BEGIN inside it, or invalid base64
     */
    static List<PemBlock> parse(String text) throws PemException {
        List<PemBlock> blocks = new ArrayList<>();
        String[] lines = text.split("\r\n|\r|\n", -1);
        String label = null;
        int beginLine = 0;
        boolean encrypted = false;
        StringBuilder base64 = new StringBuilder();
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            int number = i + 1;
            if (label == null) {
                if (line.startsWith(BEGIN)) {
                    label = label(line, BEGIN, number);
                    beginLine = number;
                    encrypted = false;
                    base64.setLength(0);
                }
            } else if (line.startsWith(END)) {
                String end = label(line, END, number);
                if (!end.equals(label)) {
                    throw new PemException("line " + number + ": END " + end + " does not match BEGIN " + label
                            + " at line " + beginLine);
                }
                blocks.add(new PemBlock(label, decode(base64, label, beginLine), encrypted, beginLine));
                label = null;
            } else if (line.startsWith(BEGIN)) {
                throw new PemException("line " + number + ": BEGIN inside the " + label + " block started at line "
                        + beginLine);
            } else if (line.indexOf(':') >= 0) {
                // RFC 1421 headers, as in OpenSSL's legacy encrypted keys: "Proc-Type: 4,ENCRYPTED", "DEK-Info: ..."
                if (line.replace(" ", "").equalsIgnoreCase("Proc-Type:4,ENCRYPTED")) encrypted = true;
            } else {
                base64.append(line);
            }
        }
        if (label != null) throw new PemException("the " + label + " block at line " + beginLine + " has no END line");
        return blocks;
    }

    private static String label(String line, String prefix, int number) throws PemException {
        if (!line.endsWith(DASHES) || line.length() < prefix.length() + DASHES.length()) {
            throw new PemException("line " + number + ": malformed PEM boundary: " + line);
        }
        String label = line.substring(prefix.length(), line.length() - DASHES.length());
        if (label.isEmpty()) throw new PemException("line " + number + ": PEM boundary without a label");
        return label;
    }

    private static byte[] decode(StringBuilder base64, String label, int beginLine) throws PemException {
        if (base64.isEmpty()) throw new PemException("the " + label + " block at line " + beginLine + " is empty");
        try {
            return Base64.getDecoder().decode(base64.toString());
        } catch (IllegalArgumentException e) {
            throw new PemException("the " + label + " block at line " + beginLine + " is not valid base64: "
                    + e.getMessage(), e);
        }
    }
}
