namespace GraphRec.Sample;

/// <summary>The <c>--output</c> folder: checked before any work, written file by file through a temporary file and a rename.</summary>
internal static class OutputFolder
{
    /// <summary>
    /// Creates the folder if needed and proves it writable, so that a wrong <c>--output</c> fails in a second, not after
    /// a whole training run.
    /// </summary>
    /// <exception cref="UsageException">The path is a file, or the folder cannot be created or written.</exception>
    public static void Prepare(string folder)
    {
        string full = Path.GetFullPath(folder);
        if (File.Exists(full))
        {
            throw new UsageException($"--output {full} is a file; give a folder (it is created when missing).");
        }

        try
        {
            Directory.CreateDirectory(full);
            string probe = Path.Combine(full, $".graphrec-write-check-{Environment.ProcessId}.tmp");
            File.WriteAllBytes(probe, [1]);
            File.Delete(probe);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"cannot write to the --output folder {full}: {error.Message}");
        }
    }

    /// <summary>
    /// Writes <paramref name="path"/> through <c>path.tmp</c> and a rename, so that a full disk or a kill leaves the
    /// previous file or the new one, never a truncated one.
    /// </summary>
    public static async Task WriteAsync(string path, Func<string, Task> write)
    {
        string temporary = path + ".tmp";
        try
        {
            await write(temporary).ConfigureAwait(false);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }
}
