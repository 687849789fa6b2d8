from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("unions", "0001_initial")]
    operations = []
