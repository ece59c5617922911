using GraphRec.Core;

namespace GraphRec.Sample;

/// <summary>The folders a run writes to (<c>--output</c>, <c>--resume</c>): checked and locked before any work, written file by file whole or not at all.</summary>
internal static class OutputFolder
{
    /// <summary>
    /// Creates the folder if needed, proves it writable and that none of <paramref name="fileNames"/> is taken by a
    /// folder, and locks it for this run, so that a wrong path or a second run on the same folder fails in a second, not
    /// after a whole training run.
    /// </summary>
    /// <returns>The lock, held until disposed.</returns>
    /// <exception cref="UsageException">The path is a file, the folder cannot be created or written, a file's name is taken by a folder, or another run writes there.</exception>
    public static IDisposable Prepare(string folder, string option, params string[] fileNames)
    {
        try
        {
            AtomicFile.CheckWritableFolder(folder, option, fileNames);
            return AtomicFile.LockFolder(folder, option);
        }
        catch (IOException error)
        {
            throw new UsageException(error.Message);
        }
    }

    /// <summary>
    /// Writes <paramref name="path"/> through a temporary file and a rename, so that a full disk or a kill leaves the
    /// previous file or the new one, never a truncated one.
    /// </summary>
    public static Task WriteAsync(string path, Func<string, Task> write) => AtomicFile.WriteAsync(path, write);
}
