; Inno Setup 6.5+ script: turns the one-folder build (dist\skilldesk, from build_installer.spec)
; into one setup.exe a clerk runs on an offline Windows 10 (1809+) or 11 PC. From the repository:
;   "%ProgramFiles(x86)%\Inno Setup 6\ISCC.exe" /DAppVersion=0.1.0 installer\skilldesk.iss
; gives installer\Output\SkillDesk-0.1.0-setup.exe (README, "Installer for Windows").
;
; The clerk's data is never in the program folder: the database, its upgrade copies and the
; log live in %LOCALAPPDATA%\SkillDesk, which this setup neither writes nor removes. So an
; uninstall keeps the data, and installing a newer version over an older one replaces the
; program only; the new program upgrades the database on its first start, after copying it
; aside (skilldesk.升级前备份-<rev>-<time>.db).

#ifndef AppVersion
  #error 请用 /DAppVersion=x.y.z 给出版本号（skilldesk.exe --version 的第一行）
#endif
#if Ver < EncodeVer(6, 5, 0)
  #error 需要 Inno Setup 6.5 或更高版本（自 6.5 起自带简体中文界面 ChineseSimplified.isl）
#endif

[Setup]
; Fixed for ever: it is how a newer setup finds the installed one and upgrades it in place.
AppId={{1016C968-FF7F-44F3-BD73-3FDF228D362C}
AppName=SkillDesk 技能人才台账
AppVersion={#AppVersion}
AppVerName=SkillDesk 技能人才台账 {#AppVersion}
AppPublisher=SkillDesk
VersionInfoVersion={#AppVersion}
; A clerk rarely has administrator rights: install for the current user by default
; (%LOCALAPPDATA%\Programs\SkillDesk); an administrator may choose all users instead.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
DefaultDirName={autopf}\SkillDesk
DisableProgramGroupPage=yes
UninstallDisplayName=SkillDesk 技能人才台账
UninstallDisplayIcon={app}\skilldesk.exe
SetupIconFile=..\resources\icons\skilldesk.ico
OutputDir=Output
OutputBaseFilename=SkillDesk-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
; Qt 6 runs on Windows 10 1809 (build 17763) and later only.
MinVersion=10.0.17763
WizardStyle=modern
; A running SkillDesk holds its files open: ask to close it before replacing them.
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "chs"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; The previous version's libraries go before the new ones are copied, so an upgrade never
; mixes two versions' Python modules or Qt plugins. Program files only: the data is elsewhere.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "..\dist\skilldesk\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
; skilldeskw.exe opens the window without a console; skilldesk.exe is the command line.
Name: "{autoprograms}\SkillDesk 技能人才台账"; Filename: "{app}\skilldeskw.exe"; WorkingDir: "{app}"
Name: "{autodesktop}\SkillDesk 技能人才台账"; Filename: "{app}\skilldeskw.exe"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
Filename: "{app}\skilldeskw.exe"; Description: "{cm:LaunchProgram,SkillDesk 技能人才台账}"; Flags: nowait postinstall skipifsilent

[Code]
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  DataDir: String;
begin
  DataDir := ExpandConstant('{localappdata}\SkillDesk');
  if (CurUninstallStep = usPostUninstall) and DirExists(DataDir) and not UninstallSilent() then
    MsgBox('程序已卸载，数据仍保留在：' + #13#10 + DataDir + #13#10#13#10 +
           '重新安装 SkillDesk 后会继续使用这些数据。确实不再需要时，请先备份，再手动删除该文件夹。',
           mbInformation, MB_OK);
end;
