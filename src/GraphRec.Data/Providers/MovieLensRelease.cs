namespace GraphRec.Data;

/// <summary>The file layouts GroupLens has published MovieLens in.</summary>
internal enum MovieLensFormat
{
    /// <summary>ML-100K: tab-separated <c>u.data</c>, pipe-separated Latin-1 <c>u.item</c> with 19 genre flags.</summary>
    Classic100K,

    /// <summary>ML-1M (and ML-10M): <c>ratings.dat</c>, <c>movies.dat</c> with <c>::</c> separators, Latin-1.</summary>
    Dat,

    /// <summary>ml-latest-small, ml-20m, ml-25m, ...: UTF-8 <c>ratings.csv</c> and <c>movies.csv</c> with a header and quoted titles.</summary>
    Csv,
}

/// <summary>A MovieLens release GraphRec knows: its name (also the archive's top folder), layout and download.</summary>
/// <remarks>
/// The pinned SHA-256 values are those of the archives GroupLens serves, as pinned by TensorFlow Datasets'
/// <c>url_checksums/movielens.txt</c> (with the same sizes) and by other projects whose archives matched the MD5 that
/// GroupLens publishes beside each file (<c>ml-100k.zip.md5</c>, ...). ml-latest-small's value is the one of its build of
/// September 2018; GroupLens says "latest" releases may be rebuilt, and a rebuilt archive fails the check with a message
/// saying where to put a hand-downloaded copy.
/// </remarks>
public sealed record MovieLensRelease
{
    private MovieLensRelease(string name, MovieLensFormat format, Uri downloadUrl, string? sha256, long? length)
    {
        Name = name;
        Format = format;
        DownloadUrl = downloadUrl;
        Sha256 = sha256;
        Length = length;
    }

    /// <summary>The name, such as <c>ml-100k</c>; the archive is <c>Name.zip</c> and its top folder <c>Name/</c>.</summary>
    public string Name { get; }

    /// <summary>Where GroupLens publishes the archive.</summary>
    public Uri DownloadUrl { get; internal init; }

    /// <summary>The SHA-256 (hex) a download must have. A file the user puts in the data directory is never checked.</summary>
    public string? Sha256 { get; internal init; }

    /// <summary>The archive's size in bytes, checked with the SHA-256.</summary>
    public long? Length { get; internal init; }

    /// <summary>The file layout.</summary>
    internal MovieLensFormat Format { get; }

    private const string Base = "https://files.grouplens.org/datasets/movielens/";

    /// <summary>MovieLens 100K: 100,000 ratings, 943 users, 1,682 movies.</summary>
    public static MovieLensRelease Ml100K { get; } = new(
        "ml-100k", MovieLensFormat.Classic100K, new Uri(Base + "ml-100k.zip"),
        "50d2a982c66986937beb9ffb3aa76efe955bf3d5c6b761f4e3a7cd717c6a3229", 4_924_029);

    /// <summary>MovieLens 1M: 1,000,209 ratings, 6,040 users, 3,706 rated movies.</summary>
    public static MovieLensRelease Ml1M { get; } = new(
        "ml-1m", MovieLensFormat.Dat, new Uri(Base + "ml-1m.zip"),
        "a6898adb50b9ca05aa231689da44c217cb524e7ebd39d264c56e2832f2c54e20", 5_917_549);

    /// <summary>ml-latest-small: 100,836 ratings in its September 2018 build (see the remarks on rebuilds).</summary>
    public static MovieLensRelease LatestSmall { get; } = new(
        "ml-latest-small", MovieLensFormat.Csv, new Uri(Base + "ml-latest-small.zip"),
        "696d65a3dfceac7c45750ad32df2c259311949efec81f0f144fdfb91ebc9e436", 978_202);

    /// <summary>MovieLens 20M.</summary>
    public static MovieLensRelease Ml20M { get; } = new(
        "ml-20m", MovieLensFormat.Csv, new Uri(Base + "ml-20m.zip"),
        "96f243c338a8665f6bcc89c53edf6ee39162a846940de6b7c8c48aeada765ff3", 198_702_078);

    /// <summary>MovieLens 25M.</summary>
    public static MovieLensRelease Ml25M { get; } = new(
        "ml-25m", MovieLensFormat.Csv, new Uri(Base + "ml-25m.zip"),
        "8b21cfb7eb1706b4ec0aac894368d90acf26ebdfb6aced3ebd4ad5bd1eb9c6aa", 261_978_986);

    /// <summary>The releases above, by name.</summary>
    public static IReadOnlyList<MovieLensRelease> Known { get; } = [Ml100K, Ml1M, LatestSmall, Ml20M, Ml25M];

    /// <summary>Finds a known release by name (case-insensitive).</summary>
    /// <exception cref="ArgumentException">No release has that name; the message lists the known ones.</exception>
    public static MovieLensRelease FromName(string name) =>
        Known.FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"Unknown MovieLens dataset '{name}'. Known: {string.Join(", ", Known.Select(r => r.Name))}.", nameof(name));
}
