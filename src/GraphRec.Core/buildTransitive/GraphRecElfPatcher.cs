// Shipped as source in the GraphRec.Core package (buildTransitive/) and compiled at the consumer's build by
// MSBuild's RoslynCodeTaskFactory, so it must compile against netstandard2.0 with no package references.
// The unit tests compile the same file with GRAPHREC_ELF_PATCHER_ONLY defined, which leaves out the MSBuild task.
//
// Why it exists: TorchSharp 0.107's libLibTorchSharp.so was linked against GCC 13's libstdc++ and declares a
// version requirement on GLIBCXX_3.4.32 for exactly one symbol, std::ios_base_library_init(), which GCC 13's
// <iostream> references without ever calling it. Debian 12 and Ubuntu 22.04 ship GCC 12's libstdc++ (up to
// GLIBCXX_3.4.30), so the dynamic loader refuses the whole library. Marking that one version requirement weak
// (VER_FLG_WEAK in its Elf64_Vernaux entry) makes the loader accept the library; nothing else changes.
#nullable disable
#pragma warning disable CA1510 // ArgumentNullException.ThrowIfNull does not exist in netstandard2.0.
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace GraphRec.Build
{
    /// <summary>What <see cref="ElfVersionPatcher.MarkVersionsWeak"/> did to a file.</summary>
    public enum ElfPatchOutcome
    {
        /// <summary>At least one version requirement was marked weak and the file was rewritten.</summary>
        Patched,

        /// <summary>Every requested version requirement present was already weak; the file was not touched.</summary>
        AlreadyWeak,

        /// <summary>The file requires none of the requested versions; the file was not touched.</summary>
        NotRequired,

        /// <summary>The file is not a 64-bit little-endian ELF file with a version-needs section; not touched.</summary>
        Unsupported,
    }

    /// <summary>The outcome of a patch and a one-line explanation for the build log.</summary>
    public sealed class ElfPatchResult
    {
        /// <summary>Creates a result.</summary>
        public ElfPatchResult(ElfPatchOutcome outcome, string message)
        {
            Outcome = outcome;
            Message = message;
        }

        /// <summary>What was done.</summary>
        public ElfPatchOutcome Outcome { get; }

        /// <summary>A one-line explanation, naming the versions concerned.</summary>
        public string Message { get; }
    }

    /// <summary>Marks version requirements (entries of an ELF64 <c>.gnu.version_r</c> section) weak.</summary>
    public static class ElfVersionPatcher
    {
        private const uint ShtGnuVerneed = 0x6ffffffe;
        private const ushort VerFlgWeak = 0x2;
        private const int VerneedSize = 16;
        private const int VernauxSize = 16;

        /// <summary>
        /// Sets <c>VER_FLG_WEAK</c> on every version requirement of <paramref name="path"/> whose name is in
        /// <paramref name="versionNames"/>. The file is rewritten through a temporary copy and a rename, so a
        /// hard link to the original (for example into the NuGet cache) is never modified. Idempotent.
        /// </summary>
        /// <param name="path">The ELF shared library to patch.</param>
        /// <param name="versionNames">Version names such as <c>GLIBCXX_3.4.32</c>.</param>
        /// <returns>What was done, with a message; a file that is not as expected is left untouched.</returns>
        public static ElfPatchResult MarkVersionsWeak(string path, ICollection<string> versionNames)
        {
            if (path == null) throw new ArgumentNullException(nameof(path));
            if (versionNames == null) throw new ArgumentNullException(nameof(versionNames));

            byte[] image = File.ReadAllBytes(path);
            var flagOffsets = new List<int>();
            var alreadyWeak = new List<string>();
            var toPatch = new List<string>();
            string problem = FindVersionFlags(image, versionNames, flagOffsets, alreadyWeak, toPatch);
            if (problem != null)
            {
                return new ElfPatchResult(ElfPatchOutcome.Unsupported, problem + "; left unchanged");
            }

            if (flagOffsets.Count == 0)
            {
                return alreadyWeak.Count > 0
                    ? new ElfPatchResult(ElfPatchOutcome.AlreadyWeak, "already weak: " + string.Join(", ", alreadyWeak))
                    : new ElfPatchResult(ElfPatchOutcome.NotRequired, "requires none of " + string.Join(", ", versionNames));
            }

            // Patch a copy (File.Copy keeps the file mode), then rename it over the original: the rename
            // replaces the directory entry, so a hard link to the original is left as it was.
            string temporary = path + ".graphrec-" + Guid.NewGuid().ToString("N") + ".tmp";
            try
            {
                File.Copy(path, temporary);
                using (var stream = new FileStream(temporary, FileMode.Open, FileAccess.Write))
                {
                    foreach (int offset in flagOffsets)
                    {
                        ushort flags = (ushort)(ReadUInt16(image, offset) | VerFlgWeak);
                        stream.Position = offset;
                        stream.WriteByte((byte)flags);
                        stream.WriteByte((byte)(flags >> 8));
                    }
                }

                File.Replace(temporary, path, null);
            }
            finally
            {
                if (File.Exists(temporary))
                {
                    File.Delete(temporary);
                }
            }

            return new ElfPatchResult(ElfPatchOutcome.Patched, "marked weak: " + string.Join(", ", toPatch));
        }

        /// <summary>
        /// Walks the ELF64 headers of <paramref name="image"/> to the version-needs section and collects the
        /// offsets of the <c>vna_flags</c> fields to set. Returns a description of the problem, or null.
        /// </summary>
        private static string FindVersionFlags(
            byte[] image, ICollection<string> versionNames, List<int> flagOffsets, List<string> alreadyWeak, List<string> toPatch)
        {
            if (image.Length < 64 || image[0] != 0x7f || image[1] != (byte)'E' || image[2] != (byte)'L' || image[3] != (byte)'F')
            {
                return "not an ELF file";
            }

            if (image[4] != 2 || image[5] != 1)
            {
                return "not a 64-bit little-endian ELF file";
            }

            ulong sectionHeaderOffset = ReadUInt64(image, 0x28);
            int sectionHeaderSize = ReadUInt16(image, 0x3A);
            int sectionCount = ReadUInt16(image, 0x3C);
            if (sectionHeaderSize < 64 || sectionCount == 0 ||
                sectionHeaderOffset + (ulong)sectionHeaderSize * (ulong)sectionCount > (ulong)image.Length)
            {
                return "ELF section headers missing or outside the file";
            }

            for (int index = 0; index < sectionCount; index++)
            {
                int header = checked((int)sectionHeaderOffset + index * sectionHeaderSize);
                if (ReadUInt32(image, header + 4) != ShtGnuVerneed)
                {
                    continue;
                }

                ulong offset = ReadUInt64(image, header + 24);
                ulong size = ReadUInt64(image, header + 32);
                uint stringTableIndex = ReadUInt32(image, header + 40);
                uint entryCount = ReadUInt32(image, header + 44);
                if (offset + size > (ulong)image.Length || stringTableIndex >= sectionCount)
                {
                    return ".gnu.version_r or its string table lies outside the file";
                }

                int stringHeader = checked((int)sectionHeaderOffset + (int)stringTableIndex * sectionHeaderSize);
                ulong stringsOffset = ReadUInt64(image, stringHeader + 24);
                ulong stringsSize = ReadUInt64(image, stringHeader + 32);
                if (stringsOffset + stringsSize > (ulong)image.Length)
                {
                    return "the string table of .gnu.version_r lies outside the file";
                }

                return CollectEntries(
                    image, (int)offset, (int)size, entryCount, (int)stringsOffset, (int)stringsSize,
                    versionNames, flagOffsets, alreadyWeak, toPatch);
            }

            return "no .gnu.version_r section";
        }

        private static string CollectEntries(
            byte[] image, int sectionOffset, int sectionSize, uint entryCount, int stringsOffset, int stringsSize,
            ICollection<string> versionNames, List<int> flagOffsets, List<string> alreadyWeak, List<string> toPatch)
        {
            int sectionEnd = sectionOffset + sectionSize;
            int verneed = sectionOffset;
            for (uint entry = 0; entry < entryCount; entry++)
            {
                if (verneed < sectionOffset || verneed + VerneedSize > sectionEnd)
                {
                    return "a .gnu.version_r entry lies outside its section";
                }

                int auxCount = ReadUInt16(image, verneed + 2);
                int vernaux = verneed + (int)ReadUInt32(image, verneed + 8);
                for (int aux = 0; aux < auxCount; aux++)
                {
                    if (vernaux < sectionOffset || vernaux + VernauxSize > sectionEnd)
                    {
                        return "a .gnu.version_r auxiliary entry lies outside its section";
                    }

                    string name = ReadString(image, stringsOffset, stringsSize, ReadUInt32(image, vernaux + 8));
                    if (name == null)
                    {
                        return "a version name lies outside the string table";
                    }

                    if (versionNames.Contains(name))
                    {
                        if ((ReadUInt16(image, vernaux + 4) & VerFlgWeak) != 0)
                        {
                            alreadyWeak.Add(name);
                        }
                        else
                        {
                            flagOffsets.Add(vernaux + 4);
                            toPatch.Add(name);
                        }
                    }

                    vernaux += (int)ReadUInt32(image, vernaux + 12);
                }

                uint next = ReadUInt32(image, verneed + 12);
                if (next == 0)
                {
                    break;
                }

                verneed += (int)next;
            }

            return null;
        }

        private static string ReadString(byte[] image, int tableOffset, int tableSize, uint nameOffset)
        {
            if (nameOffset >= (uint)tableSize)
            {
                return null;
            }

            int start = tableOffset + (int)nameOffset;
            int end = start;
            while (end < tableOffset + tableSize && image[end] != 0)
            {
                end++;
            }

            return end < tableOffset + tableSize ? Encoding.ASCII.GetString(image, start, end - start) : null;
        }

        private static ushort ReadUInt16(byte[] image, int offset) => (ushort)(image[offset] | image[offset + 1] << 8);

        private static uint ReadUInt32(byte[] image, int offset) =>
            (uint)(image[offset] | image[offset + 1] << 8 | image[offset + 2] << 16 | image[offset + 3] << 24);

        private static ulong ReadUInt64(byte[] image, int offset) =>
            ReadUInt32(image, offset) | (ulong)ReadUInt32(image, offset + 4) << 32;
    }

#if !GRAPHREC_ELF_PATCHER_ONLY
    /// <summary>
    /// MSBuild task: marks the listed version requirements of each file weak and logs one line per file.
    /// </summary>
    public sealed class MarkElfVersionsWeak : Microsoft.Build.Utilities.Task
    {
        /// <summary>The ELF files to patch (copies in the output or publish folder, never the NuGet cache).</summary>
        [Microsoft.Build.Framework.Required]
        public Microsoft.Build.Framework.ITaskItem[] Files { get; set; }

        /// <summary>Semicolon-separated version names, for example <c>GLIBCXX_3.4.32</c>.</summary>
        [Microsoft.Build.Framework.Required]
        public string Versions { get; set; }

        /// <inheritdoc />
        public override bool Execute()
        {
            var names = new HashSet<string>(
                Versions.Split(new[] { ';' }, StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);
            foreach (var file in Files)
            {
                string path = file.GetMetadata("FullPath");
                try
                {
                    ElfPatchResult result = ElfVersionPatcher.MarkVersionsWeak(path, names);
                    var importance = result.Outcome == ElfPatchOutcome.Patched
                        ? Microsoft.Build.Framework.MessageImportance.High
                        : Microsoft.Build.Framework.MessageImportance.Normal;
                    Log.LogMessage(importance, "GraphRec: TorchSharp native fix for older libstdc++: {0}: {1}", path, result.Message);
                }
                catch (IOException exception)
                {
                    Log.LogWarning("GraphRec: could not patch {0} for older libstdc++: {1}", path, exception.Message);
                }
                catch (UnauthorizedAccessException exception)
                {
                    Log.LogWarning("GraphRec: could not patch {0} for older libstdc++: {1}", path, exception.Message);
                }
            }

            return !Log.HasLoggedErrors;
        }
    }
#endif
}
