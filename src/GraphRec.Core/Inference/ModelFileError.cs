namespace GraphRec.Core;

/// <summary>
/// The error for a model or checkpoint file that cannot be read: .NET's <see cref="InvalidDataException"/>, the
/// exception for data in an invalid format, with the file's path first in its message.
/// </summary>
internal static class ModelFileError
{
    /// <summary>The error <c>"{path}: {problem}"</c>.</summary>
    public static InvalidDataException At(string path, string problem, Exception? inner = null) => new($"{path}: {problem}", inner);
}
