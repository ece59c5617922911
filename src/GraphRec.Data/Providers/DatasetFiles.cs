using System.IO.Compression;

namespace GraphRec.Data;

/// <summary>The files of a dataset, in an extracted folder or inside a zip archive.</summary>
internal abstract class DatasetFiles : IDisposable
{
    /// <summary>Where the files are, for messages.</summary>
    public abstract string Location { get; }

    public abstract bool Exists(string name);

    /// <summary>Opens a file; the message of a missing file names the exact path looked at.</summary>
    public abstract Stream Open(string name);

    /// <summary>How a file is named in messages: a path, or <c>archive.zip!/folder/name</c>.</summary>
    public abstract string Describe(string name);

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }

    /// <summary>Opens an extracted folder.</summary>
    public static DatasetFiles FromFolder(string folder) => new FolderFiles(folder);

    /// <summary>Opens a zip archive whose files lie in <paramref name="topFolder"/> (GroupLens archives use <c>ml-100k/</c>).</summary>
    /// <exception cref="DatasetFormatException">The archive is truncated or corrupt.</exception>
    public static DatasetFiles FromZip(string archivePath, string topFolder)
    {
        ZipArchive? archive = null;
        try
        {
            archive = ZipFile.OpenRead(archivePath);
            _ = archive.Entries; // the central directory is read here, so that its damage is found now, not at the first look-up
            return new ZipFiles(archive, archivePath, topFolder);
        }
        catch (InvalidDataException exception)
        {
            archive?.Dispose();
            throw new DatasetFormatException(archivePath, $"not a readable zip archive, truncated or corrupt ({exception.Message})", exception);
        }
    }

    private sealed class FolderFiles(string folder) : DatasetFiles
    {
        public override string Location => folder;

        public override bool Exists(string name) => File.Exists(Path.Combine(folder, name));

        public override string Describe(string name) => Path.Combine(folder, name);

        public override Stream Open(string name)
        {
            string path = Describe(name);
            if (Directory.Exists(path))
            {
                throw new DatasetFormatException(path, "is a folder, not a file");
            }

            if (!File.Exists(path))
            {
                throw new FileInfo(path).LinkTarget is { } target
                    ? new FileNotFoundException($"The dataset file {path} is a symbolic link to {target}, which does not resolve (missing, or a loop of links).", path)
                    : new FileNotFoundException($"The dataset file {path} does not exist.", path);
            }

            try
            {
                return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
            }
            catch (Exception exception) when (exception is UnauthorizedAccessException or (IOException and not FileNotFoundException))
            {
                // No permission, a loop of symbolic links, a device that fails: the system's reason says which.
                throw new DatasetFormatException(path, $"cannot be opened ({exception.Message})", exception);
            }
        }
    }

    private sealed class ZipFiles(ZipArchive archive, string archivePath, string topFolder) : DatasetFiles
    {
        public override string Location => archivePath;

        public override bool Exists(string name) => Find(name) is not null;

        public override string Describe(string name) => $"{archivePath}!/{topFolder}/{name}";

        public override Stream Open(string name)
        {
            var entry = Find(name) ?? throw new DatasetFormatException(Describe(name), "the archive has no such file (wrong or incomplete archive?)");
            try
            {
                return CheckedZipEntryStream.Open(entry);
            }
            catch (InvalidDataException exception)
            {
                throw new DatasetFormatException(Describe(name), "the archive entry is corrupt", exception);
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                archive.Dispose();
            }

            base.Dispose(disposing);
        }

        private ZipArchiveEntry? Find(string name) =>
            archive.GetEntry($"{topFolder}/{name}") ?? archive.GetEntry(name);
    }
}
