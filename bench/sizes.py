#!/usr/bin/env python3
"""Files over ~600 lines (tests aside) and functions over ~120 lines, the limits of issue 18.

    python3 bench/sizes.py [src]
"""
import re,sys,pathlib
root=pathlib.Path(sys.argv[1] if len(sys.argv)>1 else 'src')
fl=[];fn=[]
for p in sorted(root.rglob('*.rs')):
    lines=p.read_text().split('\n')
    # exclude test module at end
    n=len(lines); t=n
    for i,l in enumerate(lines):
        if l.startswith('#[cfg(test)]') and i+1<n and lines[i+1].startswith('mod tests {'):
            t=i;break
    if not p.name=='tests.rs': fl.append((t,str(p)))
    i=0
    while i<t:
        m=re.match(r'^(\s*)(pub(\([^)]*\))? )?(const )?(async )?(unsafe )?fn (\w+)',lines[i])
        if m:
            ind=m.group(1)
            j=i
            while j<t and not (lines[j].startswith(ind+'}') and len(lines[j].rstrip())==len(ind)+1):
                if lines[j].rstrip().endswith(';') and j==i: break
                j+=1
            fn.append((j-i+1,f'{p}:{i+1} {m.group(7)}'))
        i+=1
fl.sort(reverse=True);fn.sort(reverse=True)
print('files over 600:',[f for f in fl if f[0]>600])
print('fns over 120:',[f for f in fn if f[0]>120])
print('top files',fl[:8]);print('top fns',fn[:8])
