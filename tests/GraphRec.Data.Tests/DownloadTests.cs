using System.Net;
using System.Security.Cryptography;
using System.Text;
using GraphRec.Data;

namespace GraphRec.Data.Tests;

/// <summary>The download path, against an in-memory HTTP handler: nothing leaves the machine.</summary>
public sealed class DownloadTests : IDisposable
{
    private readonly TempFolder _source = new();
    private readonly TempFolder _cache = new();

    public void Dispose()
    {
        _source.Dispose();
        _cache.Dispose();
    }

    private byte[] Ml100KArchive()
    {
        _source.Write("ml-100k/u.data", "1\t10\t5\t881250949\n2\t10\t3\t881250950\n2\t20\t4\t881250951\n");
        _source.Write("ml-100k/u.item", "10|Toy Story (1995)|01-Jan-1995||http://imdb/10|" + string.Join("|", Enumerable.Repeat("0", 19)) + "\n"
            + "20|Heat (1995)|01-Jan-1995||http://imdb/20|" + string.Join("|", Enumerable.Repeat("0", 19)) + "\n", Encoding.Latin1);
        return File.ReadAllBytes(_source.Zip("ml-100k"));
    }

    private sealed class ArchiveHandler(byte[] archive) : HttpMessageHandler
    {
        public int Requests { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests++;
            var content = new ByteArrayContent(archive);
            content.Headers.ContentLength = archive.Length;
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content });
        }
    }

    private sealed class Collect : IProgress<long>
    {
        public List<long> Reports { get; } = [];

        public void Report(long value) => Reports.Add(value);
    }

    [Fact]
    public async Task Downloads_verifies_reports_progress_and_then_uses_the_cached_archive()
    {
        byte[] archive = Ml100KArchive();
        var release = Pinned(archive);
        var handler = new ArchiveHandler(archive);
        using var http = new HttpClient(handler);
        var progress = new Collect();
        var options = new MovieLensOptions { DataDirectory = _cache.Path, HttpClient = http, DownloadProgress = progress };

        var dataset = await new MovieLensProvider(release, options).LoadAsync();
        var again = await new MovieLensProvider(release, options).LoadAsync();

        Assert.Equal(3, dataset.Interactions.Count);
        Assert.Equal(3, again.Interactions.Count);
        Assert.Equal(1, handler.Requests);
        Assert.Equal(archive, await File.ReadAllBytesAsync(Path.Combine(_cache.Path, "ml-100k.zip")));
        Assert.NotEmpty(progress.Reports);
        Assert.Equal(progress.Reports.Order(), progress.Reports);
        Assert.Equal(release.Length, progress.Reports[^1]);
        Assert.Equal(["ml-100k.zip"], Directory.GetFileSystemEntries(_cache.Path).Select(Path.GetFileName));
    }

    private static MovieLensRelease Pinned(byte[] archive) => MovieLensRelease.Ml100K with
    {
        Sha256 = Convert.ToHexString(SHA256.HashData(archive)).ToLowerInvariant(),
        Length = archive.Length,
        DownloadUrl = new Uri("https://example.invalid/ml-100k.zip"),
    };

    [Theory]
    [InlineData("checksum")]
    [InlineData("length")]
    public async Task A_download_that_is_not_the_pinned_file_is_refused_and_not_kept(string damage)
    {
        byte[] archive = Ml100KArchive();
        var release = damage == "checksum"
            ? Pinned(archive) with { Sha256 = new string('0', 64) }
            : Pinned(archive) with { Length = archive.Length + 1 };
        using var http = new HttpClient(new ArchiveHandler(archive));

        var error = await Assert.ThrowsAsync<DatasetFormatException>(() =>
            new MovieLensProvider(release, new MovieLensOptions { DataDirectory = _cache.Path, HttpClient = http }).LoadAsync());

        Assert.Contains(damage == "checksum" ? "SHA-256" : $"not the published {archive.Length + 1:N0}", error.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_cache.Path, "ml-100k.zip"), error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_cache.Path));
    }

    [Fact]
    public async Task An_archive_the_user_supplies_is_used_without_a_checksum_or_a_request()
    {
        byte[] archive = Ml100KArchive();
        await File.WriteAllBytesAsync(Path.Combine(_cache.Path, "ml-100k.zip"), archive);
        var handler = new ArchiveHandler(archive);
        using var http = new HttpClient(handler);
        var release = Pinned(archive) with { Sha256 = new string('0', 64), Length = 1 };

        var dataset = await new MovieLensProvider(release, new MovieLensOptions { DataDirectory = _cache.Path, HttpClient = http }).LoadAsync();

        Assert.Equal(3, dataset.Interactions.Count);
        Assert.Equal(0, handler.Requests);
    }

    [Fact]
    public void Every_known_release_pins_a_sha256_and_a_length()
    {
        foreach (var release in MovieLensRelease.Known)
        {
            Assert.Matches("^[0-9a-f]{64}$", release.Sha256);
            Assert.True(release.Length > 0, release.Name);
            Assert.Equal($"https://files.grouplens.org/datasets/movielens/{release.Name}.zip", release.DownloadUrl.ToString());
        }
    }
}
