using System.IO.Compression;
using System.Text;

namespace GraphRec.Data.Tests;

/// <summary>A temporary data directory that tests fill with small dataset files.</summary>
public sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("graphrec-data-").FullName;

    public string Write(string relativePath, string content, Encoding? encoding = null)
    {
        string full = System.IO.Path.Combine(Path, relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, content, encoding ?? new UTF8Encoding(false));
        return full;
    }

    public string Zip(string folderName)
    {
        string archive = System.IO.Path.Combine(Path, folderName + ".zip");
        ZipFile.CreateFromDirectory(System.IO.Path.Combine(Path, folderName), archive, CompressionLevel.Fastest, includeBaseDirectory: true);
        Directory.Delete(System.IO.Path.Combine(Path, folderName), recursive: true);
        return archive;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

/// <summary>Where the real datasets are, from GRAPHREC_DATA_DIR.</summary>
public static class RealData
{
    public static string? Directory => Environment.GetEnvironmentVariable("GRAPHREC_DATA_DIR") is { Length: > 0 } d && System.IO.Directory.Exists(d) ? d : null;

    public static string Require(string relative)
    {
        Skip.If(Directory is null, "GRAPHREC_DATA_DIR is not set: the integration test on the real dataset is skipped.");
        string path = System.IO.Path.Combine(Directory!, relative);
        Skip.IfNot(System.IO.Path.Exists(path), $"{path} does not exist: the integration test on the real dataset is skipped.");
        return path;
    }
}
