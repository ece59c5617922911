namespace GraphRec.Core;

/// <summary>
/// Reads a model file or a checkpoint whole, only when it is a regular file: a link to a device (<c>/dev/zero</c>) would
/// be read without end, and opening a pipe would wait for a writer that may never come.
/// </summary>
internal static class RegularFile
{
    /// <summary>
    /// The bytes of <paramref name="path"/>, once links are followed to a regular file of a size a byte array can hold;
    /// exactly that many bytes are read.
    /// </summary>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/> (or a link there leads nowhere).</exception>
    /// <exception cref="InvalidDataException">The path is a folder, an empty file or not a regular file (a device, a pipe), is too large, or changed while it was read.</exception>
    /// <exception cref="IOException">The file cannot be read (a loop of links, for example).</exception>
    public static async Task<byte[]> ReadAllBytesAsync(string path, string what, CancellationToken cancellationToken = default)
    {
        var info = new FileInfo(path);
        FileSystemInfo target = info.LinkTarget is null ? info : info.ResolveLinkTarget(returnFinalTarget: true) ?? info;
        if (Directory.Exists(target.FullName))
        {
            throw ModelFileError.At(path, $"a folder, not a {what}.");
        }

        if (target is not FileInfo file || !file.Exists)
        {
            throw new FileNotFoundException($"No {what} at {Path.GetFullPath(path)}.", path);
        }

        // A device or a pipe reports a length of 0 (stat's size): refused here, before it is opened.
        long length = file.Length;
        if (length == 0)
        {
            throw ModelFileError.At(path, $"empty, or not a regular file (a device or a pipe, for example); a {what} is a regular file.");
        }

        if (length > Array.MaxLength)
        {
            throw ModelFileError.At(path, $"{length:N0} bytes, more than the {Array.MaxLength:N0} a {what} can have.");
        }

        var bytes = new byte[length];
        await using var stream = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, useAsync: true);
        try
        {
            await stream.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
        }
        catch (EndOfStreamException error)
        {
            throw ModelFileError.At(path, "it shrank while it was read; read it again once it is written whole.", error);
        }

        if (await stream.ReadAsync(new byte[1], cancellationToken).ConfigureAwait(false) != 0)
        {
            throw ModelFileError.At(path, "it grew while it was read, or is not a regular file; read it again once it is written whole.");
        }

        return bytes;
    }
}
