from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("submissions", "0002_data_version")]

    operations = [
        migrations.AddField(
            model_name="cycle",
            name="framework_digest",
            field=models.CharField(
                blank=True, max_length=64, verbose_name="指标体系指纹",
                help_text="创建评价年度时指标体系的 SHA-256；与当前指标体系不同即说明指标体系已修改",
            ),
        ),
    ]
