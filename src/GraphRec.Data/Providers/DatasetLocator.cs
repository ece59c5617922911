using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace GraphRec.Data;


/// <summary>
/// Finds a dataset in a data directory, as an extracted folder or as its archive, and downloads the archive only
/// when neither is there. The data directory is, in order: the option, the environment variable
/// <c>GRAPHREC_DATA_DIR</c>, the user's cache folder (<c>~/.cache/graphrec</c>; <c>%LOCALAPPDATA%\graphrec</c> on Windows).
/// </summary>
internal static partial class DatasetLocator
{
    /// <summary>The environment variable naming the data directory.</summary>
    public const string DataDirectoryVariable = "GRAPHREC_DATA_DIR";

    /// <summary>The data directory to use for an optional explicit choice.</summary>
    public static string ResolveDataDirectory(string? explicitDirectory)
    {
        if (!string.IsNullOrWhiteSpace(explicitDirectory))
        {
            return Path.GetFullPath(explicitDirectory);
        }

        string? fromEnvironment = Environment.GetEnvironmentVariable(DataDirectoryVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return Path.GetFullPath(fromEnvironment);
        }

        return OperatingSystem.IsWindows()
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "graphrec")
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "graphrec");
    }

    /// <summary>
    /// Opens the files of a dataset: the folder <c>dataDirectory/name/</c> when it holds <paramref name="keyFile"/>,
    /// else the archive <c>dataDirectory/name.zip</c>, else (where allowed) a fresh download of that archive.
    /// </summary>
    internal static async Task<DatasetFiles> OpenAsync(
        string dataDirectory, string name, string keyFile, Uri? downloadUrl, ExpectedDownload expected, bool allowDownload,
        HttpClient? httpClient, IProgress<long>? progress, ILogger logger, CancellationToken cancellationToken)
    {
        string folder = Path.Combine(dataDirectory, name);
        if (HoldsEntry(folder, keyFile))
        {
            // Whatever is wrong with the file itself (a folder, a broken link, no permission) is reported when it is
            // opened: a download would not mend it and would not be used.
            LogReadingFrom(logger, name, folder);
            return DatasetFiles.FromFolder(folder);
        }

        string archive = Path.Combine(dataDirectory, name + ".zip");
        if (!File.Exists(archive))
        {
            if (downloadUrl is null || !allowDownload)
            {
                throw new FileNotFoundException(
                    $"The dataset {name} is not in {dataDirectory}: put the extracted folder at {folder} or the archive at {archive}" +
                    (downloadUrl is null ? "." : $" (download it from {downloadUrl})."), archive);
            }

            await DownloadAsync(downloadUrl, archive, expected, httpClient, progress, logger, cancellationToken).ConfigureAwait(false);
        }

        LogReadingFrom(logger, name, archive);
        return DatasetFiles.FromZip(archive, name);
    }

    /// <summary>Whether <paramref name="folder"/> has an entry named <paramref name="file"/> of any kind (file, folder, link).</summary>
    /// <exception cref="FileNotFoundException">The folder exists but cannot be listed.</exception>
    private static bool HoldsEntry(string folder, string file)
    {
        string path = Path.Combine(folder, file);
        if (File.Exists(path) || Directory.Exists(path) || new FileInfo(path).LinkTarget is not null)
        {
            return true;
        }

        if (Directory.Exists(folder))
        {
            try
            {
                _ = Directory.EnumerateFileSystemEntries(folder).Any();
            }
            catch (Exception exception) when (exception is UnauthorizedAccessException or IOException)
            {
                throw new FileNotFoundException($"The dataset folder {folder} exists but cannot be read ({exception.Message}).", path, exception);
            }
        }

        return false;
    }

    private static async Task DownloadAsync(
        Uri url, string destination, ExpectedDownload expected, HttpClient? httpClient, IProgress<long>? progress,
        ILogger logger, CancellationToken cancellationToken)
    {
        string temporary = destination + ".download";
        LogDownloading(logger, url, destination);
        var client = httpClient ?? SharedClient.Value;
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            using (var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false))
            {
                response.EnsureSuccessStatusCode();
                await using var source = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                await using var target = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                var buffer = new byte[1 << 16];
                long received = 0;
                int read;
                while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                    received += read;
                    progress?.Report(received);
                }

                expected.Verify(url, destination, received, Convert.ToHexString(hash.GetHashAndReset()));
            }

            File.Move(temporary, destination, overwrite: true);
        }
        catch (HttpRequestException exception)
        {
            throw new FileNotFoundException(
                $"Could not download {url} ({exception.Message}). Offline? Download it elsewhere and put it at {destination}, " +
                $"or put the extracted folder at {Path.Combine(Path.GetDirectoryName(destination)!, Path.GetFileNameWithoutExtension(destination))}.",
                destination, exception);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

#pragma warning disable CA2000 // one client for the process, as HttpClient is meant to be used
    private static readonly Lazy<HttpClient> SharedClient = new(() => new HttpClient { Timeout = TimeSpan.FromMinutes(30) });
#pragma warning restore CA2000

    [LoggerMessage(Level = LogLevel.Debug, Message = "Reading {Dataset} from {Location}")]
    private static partial void LogReadingFrom(ILogger logger, string dataset, string location);

    [LoggerMessage(Level = LogLevel.Information, Message = "Downloading {Url} to {Destination}")]
    private static partial void LogDownloading(ILogger logger, Uri url, string destination);
}

/// <summary>What a download must be: its SHA-256 and length, where pinned.</summary>
internal readonly record struct ExpectedDownload(string? Sha256, long? Length)
{
    /// <exception cref="DatasetFormatException">The download is not the pinned file; the message says where to put a copy by hand.</exception>
    public void Verify(Uri url, string destination, long length, string sha256)
    {
        string? problem = null;
        if (Length is long expectedLength && length != expectedLength)
        {
            problem = string.Create(CultureInfo.InvariantCulture, $"the download is {length:N0} bytes, not the published {expectedLength:N0}");
        }
        else if (Sha256 is not null && !string.Equals(sha256, Sha256, StringComparison.OrdinalIgnoreCase))
        {
            problem = $"the download's SHA-256 is {sha256.ToLowerInvariant()}, not the pinned {Sha256.ToLowerInvariant()}";
        }

        if (problem is not null)
        {
            throw new DatasetFormatException(url.ToString(),
                $"{problem}: the transfer was cut or corrupted, or the file has changed at the source. Nothing was kept. " +
                $"A copy you download yourself and put at {destination} is used without a checksum.");
        }
    }
}
