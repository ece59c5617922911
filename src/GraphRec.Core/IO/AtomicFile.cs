using System.Diagnostics;
using System.Globalization;

namespace GraphRec.Core;

/// <summary>
/// Writes a file whole or not at all, and checks and locks the folders a run writes to. The one writer of model files,
/// training checkpoints and the sample's outputs: this source file is compiled into GraphRec.Core and into the sample,
/// internal to each, so that sharing it adds nothing to the public API.
/// </summary>
/// <remarks>
/// A file is written to a temporary file of its own in the target's folder (<c>name.HOST.PID.RANDOM.tmp</c>), flushed to
/// disk, then renamed over the target: a reader sees the old file or the new one, never half of one, and writers of
/// one target at once never share a temporary file, so the last rename wins and every one of them succeeds. A
/// temporary file left by a killed writer on this machine is deleted by the next write of the same target.
/// </remarks>
internal static class AtomicFile
{
    private const string LockFileName = ".graphrec.lock";

    /// <summary>Writes <paramref name="path"/> through <paramref name="writeTemporary"/>, which creates and fills the temporary file it is given.</summary>
    /// <exception cref="IOException">The target is a folder, or the temporary file could not be written or renamed (a full disk, for example); the target is left as it was.</exception>
    public static async Task WriteAsync(string path, Func<string, Task> writeTemporary)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(writeTemporary);
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            throw new IOException($"Cannot write {full}: a folder has that name. Move it away or write elsewhere.");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        DeleteAbandonedTemporaryFiles(full);
        string temporary = TemporaryName(full, Environment.MachineName, Environment.ProcessId);
        try
        {
            await writeTemporary(temporary).ConfigureAwait(false);
            using (var written = new FileStream(temporary, FileMode.Open, FileAccess.Write, FileShare.None))
            {
                written.Flush(flushToDisk: true);
            }

            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            try
            {
                File.Delete(temporary); // no error when it is gone, as after the rename
            }
            catch (IOException)
            {
                // The folder itself is gone: nothing is left to clean, and the write's own error is the one to report.
            }
        }
    }

    /// <summary>As <see cref="WriteAsync(string, Func{string, Task})"/>, for a writer that works synchronously.</summary>
    public static void Write(string path, Action<string> writeTemporary)
    {
        ArgumentNullException.ThrowIfNull(writeTemporary);
        var written = WriteAsync(path, temporary =>
        {
            writeTemporary(temporary);
            return Task.CompletedTask;
        });
        Debug.Assert(written.IsCompleted, "nothing in a synchronous write yields");
        written.GetAwaiter().GetResult();
    }

    /// <summary>Writes <paramref name="parts"/>, one after the other, as the whole of <paramref name="path"/>.</summary>
    public static Task WriteAsync(string path, IReadOnlyList<ReadOnlyMemory<byte>> parts, CancellationToken cancellationToken = default) =>
        WriteAsync(path, async temporary =>
        {
            await using var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
            foreach (var part in parts)
            {
                await stream.WriteAsync(part, cancellationToken).ConfigureAwait(false);
            }
        });

    /// <summary>The temporary file a writer on <paramref name="machine"/> in process <paramref name="processId"/> uses for <paramref name="path"/>.</summary>
    internal static string TemporaryName(string path, string machine, int processId) =>
        string.Create(CultureInfo.InvariantCulture, $"{path}.{machine}.{processId}.{Guid.NewGuid():N}.tmp");

    /// <summary>
    /// Deletes the temporary files of <paramref name="path"/> whose writer was a process of this machine that no longer
    /// runs: what a killed write leaves. Those of live processes, or of other machines (a shared folder), are left alone.
    /// </summary>
    private static void DeleteAbandonedTemporaryFiles(string path)
    {
        string prefix = Path.GetFileName(path) + "." + Environment.MachineName + ".";
        foreach (string file in Directory.EnumerateFiles(Path.GetDirectoryName(path)!, prefix + "*.tmp"))
        {
            string[] rest = Path.GetFileName(file)[prefix.Length..].Split('.');
            if (rest.Length == 3 && int.TryParse(rest[0], NumberStyles.None, CultureInfo.InvariantCulture, out int processId)
                && processId != Environment.ProcessId && !IsRunning(processId))
            {
                try
                {
                    File.Delete(file);
                }
                catch (IOException)
                {
                    // Another writer deleted it first, or it cannot be deleted: either way it is not this write's concern.
                }
            }
        }
    }

    private static bool IsRunning(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false; // no such process
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>
    /// Creates <paramref name="folder"/> if needed and proves that files can be written in it and that none of
    /// <paramref name="fileNames"/> is taken by a folder: what a run checks before its work, so that a wrong path fails
    /// in a second, not after the work is done.
    /// </summary>
    /// <param name="folder">The folder.</param>
    /// <param name="what">How the messages name the folder (an option, such as <c>--output</c>).</param>
    /// <param name="fileNames">The files the run will write in the folder.</param>
    /// <exception cref="IOException">The path is a file, the folder cannot be created or written, or one of the files is a folder; the message says which.</exception>
    public static void CheckWritableFolder(string folder, string what, params string[] fileNames)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        string full = Path.GetFullPath(folder);
        if (File.Exists(full))
        {
            throw new IOException($"{what} {full} is a file; give a folder (it is created when missing).");
        }

        foreach (string name in fileNames)
        {
            if (Directory.Exists(Path.Combine(full, name)))
            {
                throw new IOException($"{what} {full} holds a folder named {name}, where this run writes a file: move it away or choose another folder.");
            }
        }

        try
        {
            Directory.CreateDirectory(full);
            string probe = TemporaryName(Path.Combine(full, ".graphrec-write-check"), Environment.MachineName, Environment.ProcessId);
            File.WriteAllBytes(probe, [1]);
            File.Delete(probe);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"Cannot write to {what} {full}: {error.Message}", error);
        }
    }

    /// <summary>
    /// Locks <paramref name="folder"/> for this run until the returned object is disposed, so that a second run writing
    /// to the same folder stops at once with a message instead of mixing its files with this one's.
    /// </summary>
    /// <exception cref="IOException">Another run holds the folder.</exception>
    public static IDisposable LockFolder(string folder, string what)
    {
        string full = Path.GetFullPath(folder);
        Directory.CreateDirectory(full);
        string path = Path.Combine(full, LockFileName);
        try
        {
            // The lock is the open file itself (an exclusive share mode; on Unix an advisory lock, which every GraphRec
            // writer takes): it goes with the process, however it ends. The file is left in place, empty, because
            // deleting it on close would let a run that opened it just before lock the deleted file beside a third run.
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException error)
        {
            throw new IOException($"Another run is writing to {what} {full}: wait for it to finish, or choose another folder. ({error.Message})", error);
        }
    }
}
