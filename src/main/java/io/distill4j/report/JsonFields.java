package io.distill4j.report;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.distill4j.UserError;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reading the JSON files runs and sweeps write, with errors that name the file and the key. */
final class JsonFields {
    private JsonFields() {}

    static JsonObject readObject(Path file, String whatIsMissing) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new UserError(file + ": missing (" + whatIsMissing + ")");
        } catch (IOException e) {
            throw new UserError(file + ": cannot read: " + e.getMessage());
        }
        try {
            return JsonParser.parseString(text).getAsJsonObject();
        } catch (RuntimeException e) {
            throw new UserError(file + ": not a JSON object (truncated or not written by distill4j?)");
        }
    }

    /** A number, or NaN where the key is absent or null (never measured). */
    static double number(JsonObject o, String key, Path file) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            return Double.NaN;
        }
        try {
            return e.getAsDouble();
        } catch (RuntimeException ex) {
            throw new UserError(file + ": " + key + " is " + e + ", not a number");
        }
    }

    static double requiredNumber(JsonObject o, String key, Path file) {
        if (!o.has(key)) {
            throw new UserError(file + ": no key " + key);
        }
        return number(o, key, file);
    }

    static String string(JsonObject o, String key, Path file, String absent) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            return absent;
        }
        if (!e.isJsonPrimitive()) {
            throw new UserError(file + ": " + key + " is " + e + ", not a string");
        }
        return e.getAsString();
    }

    static JsonObject object(JsonObject o, String key, Path file, boolean required) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            if (required) {
                throw new UserError(file + ": no key " + key);
            }
            return null;
        }
        if (!e.isJsonObject()) {
            throw new UserError(file + ": " + key + " is " + e + ", not an object");
        }
        return e.getAsJsonObject();
    }

    /** An integer, or null where absent. */
    static Integer integer(JsonObject o, String key, Path file) {
        double v = number(o, key, file);
        if (Double.isNaN(v)) {
            return null;
        }
        if (v != Math.rint(v)) {
            throw new UserError(file + ": " + key + " is " + v + ", not an integer");
        }
        return (int) v;
    }
}
