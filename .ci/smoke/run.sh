#!/usr/bin/env bash
# Packs the three libraries into a local folder, then builds and runs throwaway console apps outside the
# repository that consume GraphRec.Core and TorchSharp-cpu from packages, exactly as a NuGet user would: a forward
# and backward pass, and the README's library example pasted unchanged.
# On Debian 12 the app only runs if the buildTransitive TorchSharp fix in GraphRec.Core's package works.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
feed="$work/feed"
version=$(dotnet msbuild "$root/src/GraphRec.Core/GraphRec.Core.csproj" -getProperty:Version)

dotnet pack "$root/GraphRec.sln" -c Release -o "$feed" -v quiet
for id in GraphRec.Data GraphRec.Metrics GraphRec.Core GraphRec.Hosting; do
  test -f "$feed/$id.$version.nupkg" || { echo "missing package $id.$version.nupkg" >&2; exit 1; }
  test -f "$feed/$id.$version.snupkg" || { echo "missing symbols package $id.$version.snupkg" >&2; exit 1; }
done
# The listing first, then the search: with pipefail, grep -q stopping at its match can kill unzip with SIGPIPE and
# fail the pipeline although the file is there.
listing=$(unzip -l "$feed/GraphRec.Core.$version.nupkg")
grep -q "buildTransitive/GraphRec.Core.targets" <<<"$listing" \
  || { echo "GraphRec.Core package lacks buildTransitive/GraphRec.Core.targets" >&2; exit 1; }
# Each package's page shows its own PACKAGE.md, not the repository's README.
for id in GraphRec.Data GraphRec.Metrics GraphRec.Core GraphRec.Hosting; do
  readme=$(unzip -p "$feed/$id.$version.nupkg" PACKAGE.md)
  grep -q "^# $id\$" <<<"$readme" || { echo "$id package lacks its PACKAGE.md" >&2; exit 1; }
  unzip -l "$feed/$id.$version.nupkg" icon.png >/dev/null || { echo "$id package lacks its icon" >&2; exit 1; }
done

# The same version is packed again on every run: drop stale copies from the global packages folder.
packages=$(dotnet nuget locals global-packages --list | sed 's/^[^:]*: *//')
rm -rf "$packages/graphrec.core/$version" "$packages/graphrec.data/$version" "$packages/graphrec.metrics/$version" "$packages/graphrec.hosting/$version"

app="$work/app"
mkdir -p "$app"
cp "$root/.ci/smoke/SmokeApp.cs" "$app/Program.cs"
cat > "$app/nuget.config" <<XML
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="local" value="$feed" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
</configuration>
XML
cat > "$app/SmokeApp.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="GraphRec.Core" Version="$version" />
    <PackageReference Include="TorchSharp-cpu" Version="0.107.0" />
  </ItemGroup>
</Project>
XML
(cd "$app" && dotnet build -c Release -v minimal && dotnet run -c Release --no-build)
# A publish copies the natives again, into the publish folder: the fix must follow them there.
(cd "$app" && dotnet publish -c Release -o "$work/published" -v minimal && dotnet "$work/published/SmokeApp.dll")

# The README's library example, pasted unchanged into a new console app on the packages.
readme="$work/readme"
mkdir -p "$readme"
cp "$app/nuget.config" "$app/SmokeApp.csproj" "$readme/"
awk '/^## Quickstart/ { section = 1 } section && /^```csharp/ { inside = 1; next } inside && /^```/ { exit } inside { print }' \
  "$root/README.md" > "$readme/Program.cs"
test -s "$readme/Program.cs" || { echo "README.md has no csharp block under '## Quickstart'" >&2; exit 1; }
(cd "$readme" && dotnet build -c Release -v minimal)
if [ -n "${GRAPHREC_DATA_DIR:-}" ]; then
  (cd "$readme" && dotnet run -c Release --no-build)
else
  echo "GRAPHREC_DATA_DIR is not set: the README example was built from the packages but not run."
fi
echo "package smoke test passed (GraphRec $version)"
