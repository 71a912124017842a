"""SkillDesk 技能人才台账."""

__version__ = "0.1.0"
APP_NAME = "SkillDesk"
