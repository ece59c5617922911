using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace GraphRec.Tests;

/// <summary>
/// Forges a model file as anyone can: rewrites its JSON header and/or the bytes after it, then recomputes the length and
/// the checksum, which detects damage but does not authenticate.
/// </summary>
public static class ModelFileForgery
{
    /// <summary>Where the payload starts: magic (8), version (4), payload length (8), SHA-256 (32).</summary>
    public const int PayloadStart = 8 + 4 + 8 + 32;

    /// <summary><paramref name="genuine"/> with its header and the bytes after it edited, its length and checksum made to match.</summary>
    public static byte[] Forge(byte[] genuine, Action<JsonObject>? header = null, Action<List<byte>>? rest = null)
    {
        var payload = genuine.AsSpan(PayloadStart);
        int jsonLength = BinaryPrimitives.ReadInt32LittleEndian(payload);
        var json = JsonNode.Parse(payload.Slice(4, jsonLength))!.AsObject();
        header?.Invoke(json);
        var tail = new List<byte>(payload[(4 + jsonLength)..].ToArray());
        rest?.Invoke(tail);
        byte[] newJson = Encoding.UTF8.GetBytes(json.ToJsonString());
        byte[] newPayload = [.. BitConverter.GetBytes(newJson.Length), .. newJson, .. tail];
        byte[] file = new byte[PayloadStart + newPayload.Length];
        genuine.AsSpan(0, 12).CopyTo(file);
        BinaryPrimitives.WriteInt64LittleEndian(file.AsSpan(12), newPayload.Length);
        SHA256.HashData(newPayload).CopyTo(file, 20);
        newPayload.CopyTo(file, PayloadStart);
        return file;
    }
}
