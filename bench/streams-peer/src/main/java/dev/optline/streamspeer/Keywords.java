package dev.optline.streamspeer;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The keyword rule of SPEC.md as libs/core implements it: normalise (NFKD, drop combining
 * marks, lower-case, drop white space) and take the longest keyword the normalised body starts
 * with, opt-out keywords only while opt-out is enabled, the first list's spelling on a tie.
 */
final class Keywords {
  enum Kind { OPT_OUT, OPT_IN, HELP }

  record Hit(Kind kind, String keyword, String normal) {}

  private final List<Hit> hits = new ArrayList<>();

  Keywords(boolean optOutEnabled, List<String> optOut, List<String> optIn, List<String> help) {
    if (optOutEnabled) for (String k : optOut) hits.add(new Hit(Kind.OPT_OUT, k, normalize(k)));
    for (String k : optIn) hits.add(new Hit(Kind.OPT_IN, k, normalize(k)));
    for (String k : help) hits.add(new Hit(Kind.HELP, k, normalize(k)));
  }

  /** The winning keyword of `body`, or null. */
  Hit match(String body) {
    if (hits.isEmpty()) return null;
    String normal = normalize(body);
    Hit best = null;
    for (Hit h : hits) {
      if (h.normal.isEmpty() || !normal.startsWith(h.normal)) continue;
      if (best == null || h.normal.length() > best.normal.length()) best = h;
    }
    return best;
  }

  /** ECMAScript `\s` plus `\p{White_Space}` (U+0085): what libs/core drops. */
  static boolean isWhiteSpace(int cp) {
    return cp == 9 || cp == 10 || cp == 11 || cp == 12 || cp == 13 || cp == 32 || cp == 0x85 || cp == 0xFEFF || Character.isSpaceChar(cp);
  }

  static String normalize(String s) {
    boolean ascii = true;
    for (int i = 0; i < s.length() && ascii; i++) ascii = s.charAt(i) < 128;
    // Most replies are ASCII: NFKD and the mark filter change nothing there.
    String decomposed = ascii ? s : Normalizer.normalize(s, Normalizer.Form.NFKD);
    StringBuilder kept = new StringBuilder(decomposed.length());
    decomposed.codePoints().forEach(cp -> {
      int type = Character.getType(cp);
      if (type != Character.NON_SPACING_MARK && type != Character.ENCLOSING_MARK && type != Character.COMBINING_SPACING_MARK) kept.appendCodePoint(cp);
    });
    String lower = kept.toString().toLowerCase(Locale.ROOT);
    StringBuilder out = new StringBuilder(lower.length());
    lower.codePoints().forEach(cp -> {
      if (!isWhiteSpace(cp)) out.appendCodePoint(cp);
    });
    return out.toString();
  }
}
