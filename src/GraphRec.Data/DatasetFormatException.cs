using System.Globalization;

namespace GraphRec.Data;

/// <summary>
/// A dataset file is malformed. The message names the file, the 1-based line number and the offending text, with
/// control characters escaped and long text cut, so that printing it is safe whatever the file holds.
/// </summary>
public sealed class DatasetFormatException : FormatException
{
    /// <summary>Creates the exception for a line of a file.</summary>
    public DatasetFormatException(string filePath, long lineNumber, string lineText, string problem)
        : base(string.Create(CultureInfo.InvariantCulture, $"{Safe(filePath)}:{lineNumber}: {Safe(problem)}: \"{InputText.Printable(lineText, InputText.LineLength)}\""))
    {
        FilePath = filePath;
        LineNumber = lineNumber;
        LineText = lineText;
    }

    /// <summary>Creates the exception for a row of a source that has rows, not lines (a database query's result).</summary>
    internal DatasetFormatException(string source, long rowNumber, string rowText, string problem, bool isRow)
        : base(string.Create(CultureInfo.InvariantCulture, $"{Safe(source)}, row {rowNumber}: {Safe(problem)}: \"{InputText.Printable(rowText, InputText.LineLength)}\""))
    {
        _ = isRow;
        FilePath = source;
        LineNumber = rowNumber;
        LineText = rowText;
    }

    /// <summary>Creates the exception for a whole file (empty, wrong encoding, missing inside an archive).</summary>
    public DatasetFormatException(string filePath, string problem)
        : base($"{Safe(filePath)}: {Safe(problem)}")
    {
        FilePath = filePath;
        LineText = string.Empty;
    }

    /// <summary>Creates the exception for a whole file, with the underlying cause.</summary>
    public DatasetFormatException(string filePath, string problem, Exception innerException)
        : base($"{Safe(filePath)}: {Safe(problem)}", innerException)
    {
        FilePath = filePath;
        LineText = string.Empty;
    }

    /// <summary>The file, or <c>archive.zip!/entry</c> for a file inside an archive; for rows of a database, the reader's type.</summary>
    public string FilePath { get; }

    /// <summary>The 1-based line number (for rows of a database, the row number); 0 where the problem concerns the whole file.</summary>
    public long LineNumber { get; }

    /// <summary>The offending line (for rows of a database, the row's named values); empty where the problem concerns the whole file.</summary>
    public string LineText { get; }

    // Problems quote their fields already cut; this bounds what a caller-built problem or a path can add.
    private static string Safe(string text) => InputText.Printable(text, 4 * InputText.LineLength);
}
