package dev.optline.streamspeer;

import java.util.ArrayList;
import java.util.List;
import org.apache.avro.generic.GenericRecord;

/** One project's SMS settings (Avro SmsSettings) with its keywords compiled. */
final class Settings {
  final String project;
  final int version;
  final boolean trackIncoming;
  final boolean optOutEnabled;
  final List<String> consentCategories;
  final List<String> dedicatedNumbers;
  final boolean hasReplies;
  final String possibleOptOuts;
  final Keywords keywords;

  Settings(GenericRecord r) {
    project = r.get("project").toString();
    version = (Integer) r.get("version");
    trackIncoming = (Boolean) r.get("trackIncoming");
    optOutEnabled = (Boolean) r.get("optOutEnabled");
    consentCategories = strings(r.get("consentCategories"));
    dedicatedNumbers = strings(r.get("dedicatedNumbers"));
    hasReplies = !((List<?>) r.get("replies")).isEmpty();
    possibleOptOuts = r.get("possibleOptOuts").toString();
    keywords = new Keywords(optOutEnabled, strings(r.get("keywords")), strings(r.get("optInKeywords")), strings(r.get("helpKeywords")));
  }

  static List<String> strings(Object avroArray) {
    List<String> out = new ArrayList<>();
    for (Object o : (List<?>) avroArray) out.add(o.toString());
    return out;
  }
}
